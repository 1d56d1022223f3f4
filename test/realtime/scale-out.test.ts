import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateSessionDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { assertRedisReachable, cleanPrefix, redisTestsEnabled, redisUrl, startPrivateRedis, uniquePrefix } from '../support/redis.ts';
import { freshDatabase, startTestServer, testedProviders, type TestServer } from '../support/server.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';
import { waitForPresence, waitForRedisSubscribers } from '../support/subscription-live.ts';
import { connectWs, eventually, subscribe, type WsClient } from '../support/ws-client.ts';

const RECEIVED = `subscription($s: ID!, $after: ID) { messageReceived(sessionId: $s, after: $after) { id seq content } }`;
interface Received {
  messageReceived: { id: string; seq: number; content: string };
}
const enabled = await redisTestsEnabled();

/** Users the instance reports as connected to the session (presence is shared through Redis). */
async function connectedUsers(server: ChildServer, token: string, sessionId: string): Promise<string[]> {
  const response = await graphql<{ sessionInfo: { connectedUserIds: string[] } }>(
    server.graphqlUrl,
    `query($s: ID!) { sessionInfo(sessionId: $s) { connectedUserIds } }`,
    { s: sessionId },
    { token },
  );
  return dataOf(response).sessionInfo.connectedUserIds;
}
// PostgreSQL when this run has it (CI), else a shared SQLite file: both processes use one database.
const provider = testedProviders().at(-1)!;

describe.runIf(enabled)(`scale-out through Redis (${provider})`, () => {
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });

  describe('two server processes', () => {
    const prefix = uniquePrefix();
    let a: ChildServer;
    let b: ChildServer;
    let dropDb: () => Promise<void>;
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
      };
      [a, b] = await Promise.all([startChildServer(env), startChildServer(env)]);
    }, 60_000);
    afterAll(async () => {
      const codes = await Promise.all([a?.stop(), b?.stop()]);
      expect(codes).toEqual([0, 0]);
      await dropDb?.();
      await cleanPrefix(prefix);
    });

    it('delivers a message sent through one instance to subscribers of the other, in order', async () => {
      const token = await mintToken('alice-scale');
      const sessionId = dataOf(await graphql(a.graphqlUrl, CreateSessionDocument, { input: { title: 'scale' } }, { token })).createSession
        .id;
      const ws = connectWs(b.wsUrl, { token });
      clients.push(ws);
      const sub = subscribe<Received>(ws.client, RECEIVED, { s: sessionId });
      // B's subscription is live once B holds the Redis channel and has entered the user's
      // presence (done after the stream joined B's hub): a message sent now must arrive.
      await waitForRedisSubscribers(redisUrl, `${prefix}session:${sessionId}`, 1);
      await eventually(
        async () => (await connectedUsers(a, token, sessionId)).includes('alice-scale'),
        10_000,
        'subscription on B never went live',
      );
      for (let i = 1; i <= 5; i++) {
        const via = i % 2 ? a : b;
        dataOf(await graphql(via.graphqlUrl, SendMessageDocument, { sessionId, input: { content: `m${i}` } }, { token }));
      }
      const events = await sub.waitFor(5);
      expect(events.map((e) => e.messageReceived.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    });

    it('holds one Redis subscription per session channel per instance, however many clients watch', async () => {
      const token = await mintToken('alice-numsub');
      const sessionId = dataOf(await graphql(a.graphqlUrl, CreateSessionDocument, { input: {} }, { token })).createSession.id;
      const watchers = [connectWs(b.wsUrl, { token }), connectWs(b.wsUrl, { token }), connectWs(a.wsUrl, { token })];
      clients.push(...watchers);
      for (const ws of watchers) subscribe(ws.client, RECEIVED, { s: sessionId });
      const redis = new Redis(redisUrl);
      try {
        const channel = `${prefix}session:${sessionId}`;
        await eventually(async () => Number((await redis.pubsub('NUMSUB', channel))[1]) === 2);
        await Promise.all(watchers.map((ws) => ws.dispose()));
        await eventually(async () => Number((await redis.pubsub('NUMSUB', channel))[1]) === 0);
      } finally {
        redis.disconnect();
      }
    });

    it('shows a user subscribed on one instance as connected on the other, until they leave', async () => {
      const user = 'presence-scale';
      const token = await mintToken(user);
      const sessionId = dataOf(await graphql(a.graphqlUrl, CreateSessionDocument, { input: {} }, { token })).createSession.id;
      const connected = () => connectedUsers(a, token, sessionId);
      const ws = connectWs(b.wsUrl, { token });
      clients.push(ws);
      subscribe(ws.client, RECEIVED, { s: sessionId });
      await eventually(async () => (await connected()).includes(user));
      await ws.dispose();
      await eventually(async () => (await connected()).length === 0);
    });
  });

  describe('Redis stopping mid-stream', () => {
    let server: TestServer;
    let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
    beforeAll(async () => {
      redis = await startPrivateRedis();
      server = await startTestServer(provider, { REDIS_URL: redis.url });
    });
    afterAll(async () => {
      await server?.stop();
      await redis?.stop();
    });

    it('keeps sends working, reconnects by itself and delivers what was missed', async () => {
      const token = await mintToken('alice-outage');
      const send = async (content: string) =>
        dataOf(await graphql(server.graphqlUrl, SendMessageDocument, { sessionId, input: { content } }, { token })).sendMessage;
      const sessionId = dataOf(await graphql(server.graphqlUrl, CreateSessionDocument, { input: {} }, { token })).createSession.id;
      const ws = connectWs(server.wsUrl, { token });
      clients.push(ws);
      const sub = subscribe<Received>(ws.client, RECEIVED, { s: sessionId });
      await waitForPresence(server, sessionId, 1);
      const first = await send('before outage');
      await sub.waitFor(1);

      const quiet = dataOf(await graphql(server.graphqlUrl, CreateSessionDocument, { input: {} }, { token })).createSession.id;
      dataOf(await graphql(server.graphqlUrl, SendMessageDocument, { sessionId: quiet, input: { content: 'quiet 1' } }, { token }));

      await redis.stop();
      const during = [await send('during outage 1'), await send('during outage 2')];
      expect(during.map((m) => m.seq)).toEqual([2, 3]);

      // A session nobody watched on this instance: subscribing during the outage still replays.
      const fresh = subscribe<Received>(
        ws.client,
        `subscription($s: ID!) { messageReceived(sessionId: $s, afterSeq: 0) { id seq content } }`,
        { s: quiet },
      );
      expect((await fresh.waitFor(1, 10_000)).map((e) => e.messageReceived.content)).toEqual(['quiet 1']);

      // A client that reconnects with `after` gets what it missed even while Redis is down.
      const late = subscribe<Received>(ws.client, RECEIVED, { s: sessionId, after: first.id });
      expect((await late.waitFor(2)).map((e) => e.messageReceived.seq)).toEqual([2, 3]);

      await redis.start();
      // The open subscription catches up after the reconnect, without duplicates.
      const events = await sub.waitFor(3, 15_000);
      await send('after outage');
      await sub.waitFor(4, 10_000);
      expect(events.map((e) => e.messageReceived.seq)).toEqual([1, 2, 3, 4]);
      dataOf(await graphql(server.graphqlUrl, SendMessageDocument, { sessionId: quiet, input: { content: 'quiet 2' } }, { token }));
      expect((await fresh.waitFor(2, 10_000)).map((e) => e.messageReceived.content)).toEqual(['quiet 1', 'quiet 2']);
    }, 40_000);
  });
});
