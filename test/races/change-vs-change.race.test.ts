/**
 * Two changes to one message at the same moment, sent to two instances on one database
 * (each provider): edit+delete, delete+delete, edit+edit, delete+clear, edit+clear. Each
 * request either succeeds or, when the message was gone first, answers NOT_FOUND; never an
 * internal error. The counter stays equal to the stored rows.
 */
import { describe, expect, it } from 'vitest';
import {
  ClearConversationDocument,
  DeleteMessageDocument,
  MessageCountDocument,
  SessionDocument,
  UpdateMessageDocument,
} from '../../src/generated/operations.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { dataOf, errorCode, type GraphQLResponse } from '../support/graphql-client.ts';
import { useRacingServers } from '../support/racing-servers.ts';
import { testedProviders } from '../support/server.ts';
import { RACE_TIMEOUT_MS } from '../support/racing-servers.ts';

const TRIALS = 40;

type Change = 'edit' | 'delete' | 'clear';
const PAIRS: [Change, Change][] = [
  ['edit', 'delete'],
  ['delete', 'delete'],
  ['edit', 'edit'],
  ['delete', 'clear'],
  ['edit', 'clear'],
];

/** What a request answered: 'ok' or its error code. */
const outcome = (response: GraphQLResponse<unknown>) => (response.errors ? (errorCode(response) ?? 'NO_CODE') : 'ok');

describe.each(testedProviders())('concurrent changes to one message on %s', (provider) => {
  const servers = useRacingServers(provider, { MESSAGES_PER_MINUTE: '0' });

  it.each(PAIRS)(
    `%s racing %s (${TRIALS} trials): the loser answers NOT_FOUND, never an internal error`,
    async (first, second) => {
      const owner = uniqueUser('owner');
      const sessionId = await servers.createSession(owner);
      const run = (instance: number, change: Change, id: string) => {
        if (change === 'edit')
          return servers.as(instance, owner, UpdateMessageDocument, { id, input: { content: `edited on ${instance}` } });
        if (change === 'delete') return servers.as(instance, owner, DeleteMessageDocument, { id });
        return servers.as(instance, owner, ClearConversationDocument, { sessionId });
      };
      const unexpected: string[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        // A neighbour that only a clear removes keeps the counter check meaningful.
        await servers.send(trial, owner, sessionId, `bystander ${trial}`);
        const { id } = await servers.send(trial, owner, sessionId, `target ${trial}`);
        const outcomes = (await Promise.all([run(trial, first, id), run(trial + 1, second, id)])).map(outcome);
        const allowed =
          first === second && first === 'edit'
            ? outcomes.every((result) => result === 'ok')
            : first === second
              ? [...outcomes].sort().join() === 'NOT_FOUND,ok'
              : outcomes.every((result) => result === 'ok' || result === 'NOT_FOUND');
        if (!allowed) unexpected.push(`trial ${trial}: ${outcomes.join(', ')}`);
      }
      const counter = dataOf(await servers.as(0, owner, SessionDocument, { id: sessionId })).session.messageCount;
      const rows = dataOf(await servers.as(0, owner, MessageCountDocument, { sessionId })).messageCount;
      expect({ unexpected, counter }).toEqual({ unexpected: [], counter: rows });
    },
    RACE_TIMEOUT_MS,
  );
});
