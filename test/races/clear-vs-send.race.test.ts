/**
 * clearConversation racing sends, on two instances sharing each database: the stored
 * message counter (Session.messageCount, what MAX_MESSAGES_PER_SESSION is checked against)
 * must equal the rows afterwards, no seq is handed out twice, and filling the session
 * stops exactly at the limit.
 */
import { describe, expect, it } from 'vitest';
import {
  ClearConversationDocument,
  MessageCountDocument,
  MessagesDocument,
  SendMessageDocument,
  SessionDocument,
} from '../../src/generated/operations.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { dataOf, errorCode, type GraphQLResponse } from '../support/graphql-client.ts';
import { useRacingServers } from '../support/racing-servers.ts';
import { testedProviders } from '../support/server.ts';
import { RACE_TIMEOUT_MS } from '../support/racing-servers.ts';

const LIMIT = 50;
const ROUNDS = 6;
const SENDS_PER_ROUND = 30;
const CLEARS_PER_ROUND = 4;

const seqOf = (response: GraphQLResponse<unknown>) =>
  (response.data as { sendMessage?: { seq: number } } | null | undefined)?.sendMessage?.seq;

describe.each(testedProviders())('clearConversation racing sends on %s', (provider) => {
  const servers = useRacingServers(provider, { MESSAGES_PER_MINUTE: '0', MAX_MESSAGES_PER_SESSION: String(LIMIT) });

  it(
    `keeps the counter equal to the stored rows over ${ROUNDS} rounds, and the limit exact afterwards`,
    async () => {
      const owner = uniqueUser('owner');
      const writers = [owner, uniqueUser('w1'), uniqueUser('w2'), uniqueUser('w3')];
      const send = (i: number, sessionId: string, content: string) =>
        servers.as(i, writers[i % writers.length] as string, SendMessageDocument, { sessionId, input: { content } });
      const mismatches: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const sessionId = await servers.createSession(owner, writers.slice(1));
        const clearEvery = Math.floor(SENDS_PER_ROUND / (CLEARS_PER_ROUND + 1));
        const work: Promise<GraphQLResponse<unknown>>[] = [];
        for (let i = 1; i <= SENDS_PER_ROUND; i++) {
          work.push(send(i, sessionId, `r${round} m${i}`));
          if (i % clearEvery === 0 && i < SENDS_PER_ROUND) work.push(servers.as(i + 1, owner, ClearConversationDocument, { sessionId }));
        }
        const raced = await Promise.all(work);
        expect(raced.filter((response) => response.errors).map((response) => response.errors)).toEqual([]);

        const counter = dataOf(await servers.as(0, owner, SessionDocument, { id: sessionId })).session.messageCount;
        const rows = dataOf(await servers.as(1, owner, MessageCountDocument, { sessionId })).messageCount;
        if (counter !== rows) mismatches.push(`round ${round}: counter ${counter}, rows ${rows}`);

        // Fill in parallel: exactly LIMIT rows, everything beyond refused as SESSION_FULL.
        const fill = await Promise.all(Array.from({ length: LIMIT + 5 }, (_, i) => send(i, sessionId, `fill ${i}`)));
        const refused = fill.filter((response) => errorCode(response) === 'BAD_USER_INPUT').length;
        const stored = dataOf(await servers.as(0, owner, MessagesDocument, { sessionId, limit: 200 })).messages;
        if (stored.length !== LIMIT)
          mismatches.push(`round ${round}: filled to ${stored.length} rows (limit ${LIMIT}), ${refused} refused`);
        expect(fill.filter((response) => response.errors && errorCode(response) !== 'BAD_USER_INPUT')).toEqual([]);

        // A seq is never handed out twice, across clears; stored seqs increase.
        const handedOut = [...raced, ...fill].map(seqOf).filter((seq) => seq !== undefined);
        expect(new Set(handedOut).size).toBe(handedOut.length);
        const seqs = stored.map((message) => message.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
      expect(mismatches).toEqual([]);
    },
    RACE_TIMEOUT_MS,
  );
});
