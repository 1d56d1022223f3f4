import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessagesDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('SQLite under concurrent writers', () => {
  let first: TestServer;
  let second: ChildServer;
  beforeAll(async () => {
    // Two instances on one file, in two processes: two connections competing for SQLite's
    // single write lock (in one process, better-sqlite3's synchronous calls never overlap).
    first = await startTestServer('sqlite', { MESSAGES_PER_MINUTE: '0' });
    second = await startChildServer({ ...first.env, MESSAGES_PER_MINUTE: '0' });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('stores 120 simultaneous sends into one session, all answered, with consecutive seq', async () => {
    const users = Array.from({ length: 6 }, (_, i) => uniqueUser(`writer${i}`));
    const owner = users[0] as string;
    const ownerToken = await first.token(owner);
    const created = await graphql(
      first.graphqlUrl,
      'mutation($input: CreateSessionInput!) { createSession(input: $input) { id } }',
      { input: { participantIds: users } },
      { token: ownerToken },
    );
    const sessionId = (dataOf(created) as { createSession: { id: string } }).createSession.id;
    const tokens = await Promise.all(users.map((user) => first.token(user)));

    const responses = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        graphql(
          (i % 2 === 0 ? first : second).graphqlUrl,
          SendMessageDocument,
          { sessionId, input: { content: `m${i}` } },
          { token: tokens[i % tokens.length] },
        ),
      ),
    );
    const failures = responses.filter((response) => response.errors);
    expect(failures.map((response) => response.errors)).toEqual([]);
    const seqs = responses.map((response) => dataOf(response).sendMessage.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));

    const stored = dataOf(await graphql(second.graphqlUrl, MessagesDocument, { sessionId, limit: 200 }, { token: ownerToken })).messages;
    expect(stored.map((message) => message.seq)).toEqual(seqs);
  });
});
