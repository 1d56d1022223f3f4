/**
 * Two instances behind Redis: Socket.IO members on one instance receive what is sent on the
 * other (over GraphQL or Socket.IO), through the same Redis fan-out as GraphQL subscriptions;
 * there is no Socket.IO adapter and no second pub/sub path.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateSessionDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { assertRedisReachable, cleanPrefix, redisTestsEnabled, redisUrl, uniquePrefix } from '../support/redis.ts';
import { freshDatabase, testedProviders } from '../support/server.ts';
import { waitForRedisSubscribers } from '../support/subscription-live.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { connectLegacy, type LegacyClient } from './legacy-client.ts';

const enabled = await redisTestsEnabled();
// PostgreSQL when this run has it (CI), else a shared SQLite file: both processes use one database.
const provider = testedProviders().at(-1)!;

describe.runIf(enabled)(`Socket.IO across two instances through Redis (${provider})`, () => {
  const prefix = uniquePrefix();
  let a: ChildServer;
  let b: ChildServer;
  let dropDb: () => Promise<void>;
  const clients: LegacyClient[] = [];
  beforeAll(async () => {
    await assertRedisReachable();
    const db = await freshDatabase(provider);
    dropDb = db.drop;
    const env = {
      DATABASE_URL: db.url,
      DATA_DIR: db.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      REDIS_URL: redisUrl,
      REDIS_CHANNEL_PREFIX: prefix,
      TYPING_THROTTLE_MS: '0',
    };
    [a, b] = await Promise.all([startChildServer(env), startChildServer(env)]);
  }, 60_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    expect(codes).toEqual([0, 0]);
    await dropDb?.();
    await cleanPrefix(prefix);
  });
  const connect = async (server: ChildServer, userId: string) => {
    const client = await connectLegacy(server.url, await mintToken(userId));
    clients.push(client);
    return client;
  };

  it('delivers messages and typing between Socket.IO members on different instances, and from GraphQL', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const aliceToken = await mintToken(alice);
    const created = await graphql(
      a.graphqlUrl,
      CreateSessionDocument,
      { input: { title: 'two', participantIds: [bob] } },
      { token: aliceToken },
    );
    const sessionId = dataOf(created).createSession.id;
    const onA = await connect(a, alice);
    const onB = await connect(b, bob);
    await onA.request('join_session', { sessionId });
    await onB.request('join_session', { sessionId });
    await waitForRedisSubscribers(redisUrl, `${prefix}session:${sessionId}`, 2);

    await onB.request('send_message', { content: 'from B over socket.io' });
    expect(await onA.next('message_received')).toMatchObject({ seq: 1, content: 'from B over socket.io', authorId: bob });
    dataOf(
      await graphql(b.graphqlUrl, SendMessageDocument, { sessionId, input: { content: 'from B over GraphQL' } }, { token: aliceToken }),
    );
    expect(await onA.next('message_received')).toMatchObject({ seq: 2, content: 'from B over GraphQL' });
    expect(await onB.next('message_received')).toMatchObject({ seq: 1 });
    expect(await onB.next('message_received')).toMatchObject({ seq: 2 });

    await onA.request('typing', { isTyping: true });
    expect(await onB.next('typing_indicator')).toEqual({ sessionId, userId: alice, isTyping: true });
    // Presence is shared too: instance A's session_info lists bob, connected on B.
    const info = await onA.request<{ data: { connectedUserIds: string[] } }>('get_session_info');
    expect(info.data.connectedUserIds.sort()).toEqual([alice, bob].sort());
  });
});
