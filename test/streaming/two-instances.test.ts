/**
 * Streamed replies across instances sharing the database and Redis: separate server processes
 * take the appends and serve the readers, a reader resumes on another instance from the offset
 * it reached, and the instance that took the appends is killed mid-reply.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAssistant, replyTo } from '../../scripts/assistant-bot.ts';
import { CreateSessionDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { assertRedisReachable, cleanPrefix, redisTestsEnabled, redisUrl, uniquePrefix } from '../support/redis.ts';
import { freshDatabase, testedProviders } from '../support/server.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';
import { connectWs, eventually, subscribe, type WsClient } from '../support/ws-client.ts';
import { append, COMPLETE, readMessage, readStream, startReply } from './reply-client.ts';

const enabled = await redisTestsEnabled();
// PostgreSQL when this run has it, else one SQLite file shared by the processes.
const provider = testedProviders().at(-1)!;

/** A small deterministic PRNG, so a failing offset can be replayed from the printed seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe.runIf(enabled)(`streamed replies across instances (${provider}, Redis)`, () => {
  const prefix = uniquePrefix();
  let a: ChildServer;
  let b: ChildServer;
  let dropDb: () => Promise<void>;
  let env: Record<string, string>;
  const clients: WsClient[] = [];
  beforeAll(async () => {
    await assertRedisReachable();
    const db = await freshDatabase(provider);
    dropDb = db.drop;
    env = {
      DATABASE_URL: db.url,
      DATA_DIR: db.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      REDIS_URL: redisUrl,
      REDIS_CHANNEL_PREFIX: prefix,
      STREAM_IDLE_TIMEOUT_MS: '3000',
      STREAM_FLUSH_INTERVAL_MS: '200',
      STREAM_APPENDS_PER_SECOND: '0',
      LOG_LEVEL: 'warn',
    };
    [a, b] = await Promise.all([startChildServer(env), startChildServer(env)]);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await dropDb?.();
    await cleanPrefix(prefix);
  });

  async function session(owner: string) {
    const token = await mintToken(owner);
    const sessionId = dataOf(await graphql(a.graphqlUrl, CreateSessionDocument, { input: { title: 'streams' } }, { token })).createSession
      .id;
    return { token, sessionId };
  }
  const reader = (server: ChildServer, token: string) => {
    const ws = connectWs(server.wsUrl, { token });
    clients.push(ws);
    return ws.client;
  };

  it('streams the assistant’s reply to readers on both instances, identical to the last byte', async () => {
    const { token, sessionId } = await session('alice-two');
    const botToken = await mintToken('assistant-two', { service: true });
    const replies: string[] = [];
    const assistant = startAssistant({
      wsUrl: a.wsUrl,
      token: botToken,
      sessionId,
      delayMs: 5,
      wordsPerAppend: 2,
      onReply: (r) => replies.push(r.messageId),
    });
    try {
      // The assistant must be watching (on instance a) before the question is sent on b.
      await eventually(
        async () => {
          const body = await graphql<{ sessionInfo: { connectedUserIds: string[] } }>(
            b.graphqlUrl,
            'query($s: ID!) { sessionInfo(sessionId: $s) { connectedUserIds } }',
            { s: sessionId },
            { token },
          );
          return body.data?.sessionInfo.connectedUserIds.includes('assistant-two') ?? false;
        },
        15_000,
        'the assistant never subscribed',
      );
      // Readers learn of the reply from messageReceived on their own instance, then read its stream there.
      const announced = subscribe<{ messageReceived: { id: string; role: string } }>(
        reader(b, token),
        `subscription($s: ID!) { messageReceived(sessionId: $s, afterSeq: 0) { id role } }`,
        { s: sessionId },
      );
      const content = 'tell me a story about two instances and one stream';
      await graphql(b.graphqlUrl, SendMessageDocument, { sessionId, input: { content } }, { token });
      const events = await announced.waitFor(2, 15_000);
      const replyId = events[1]!.messageReceived.id;
      const onA = readStream(reader(a, token), replyId);
      const onB = readStream(reader(b, token), replyId);
      const [endA, endB] = await Promise.all([onA.done(), onB.done()]);
      expect(endA).toMatchObject({ status: 'COMPLETE', finishReason: 'stop' });
      expect(endB).toEqual(endA);
      expect(onA.text()).toBe(replyTo(content));
      expect(onB.text()).toBe(onA.text());
      await eventually(() => replies.includes(replyId), 5000, 'the assistant never finished');
      expect(await readMessage(a.graphqlUrl, token, replyId)).toMatchObject({ status: 'COMPLETE', content: replyTo(content) });
    } finally {
      await assistant.stop();
    }
  });

  it('resumes a reader that dropped at a random offset on the other instance, with appends retried and reordered across instances', async () => {
    const seed = Date.now() % 100_000;
    const random = prng(seed);
    const { token, sessionId } = await session('bob-two');
    const botToken = await mintToken('producer-two', { service: true });
    const reply = await startReply(a.graphqlUrl, botToken, sessionId);
    const words = Array.from({ length: 60 }, (_, i) => `wörd${i}${i % 7 === 0 ? '🌊' : ''} `);
    const first = readStream(reader(b, token), reply.id);
    const dropAt = 5 + Math.floor(random() * 40);
    let dropped: { offset: number; text: string } | undefined;
    for (let i = 0; i < words.length; i += 2) {
      const via = (i / 2) % 2 === 0 ? a : b;
      const other = via === a ? b : a;
      // The pair reversed, the earlier one retried on the other instance: each stored once, in order.
      await append(via.graphqlUrl, botToken, reply.id, [
        { index: i + 1, text: words[i + 1]! },
        { index: i, text: words[i]! },
      ]);
      await append(other.graphqlUrl, botToken, reply.id, [{ index: i, text: words[i]! }]);
      if (!dropped && i >= dropAt) {
        await first.reached(1);
        first.sub.unsubscribe();
        dropped = { offset: first.offset(), text: first.text() };
      }
    }
    expect(dropped, `seed ${seed}`).toBeDefined();
    const resumed = readStream(reader(a, token), reply.id, dropped!.offset);
    await graphql(b.graphqlUrl, COMPLETE, { id: reply.id }, { token: botToken });
    await resumed.done();
    expect(dropped!.text + resumed.text(), `seed ${seed}, dropped at ${dropped!.offset}`).toBe(words.join(''));
    expect((await readMessage(b.graphqlUrl, token, reply.id)).content).toBe(words.join(''));
  });

  it('fails a reply whose producing instance was killed, keeping every chunk that instance acknowledged', async () => {
    const killed = await startChildServer(env);
    const { token, sessionId } = await session('carol-two');
    const botToken = await mintToken('producer-killed', { service: true });
    const reply = await startReply(killed.graphqlUrl, botToken, sessionId);
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      await append(killed.graphqlUrl, botToken, reply.id, [{ index: i, text: `t${i} ` }]);
      acknowledged.push(`t${i} `);
    }
    const watching = readStream(reader(b, token), reply.id);
    await watching.reached(acknowledged.join('').length);
    expect(await killed.stop('SIGKILL')).toBeNull();
    // No append for STREAM_IDLE_TIMEOUT_MS: a surviving instance fails it with the text from Redis.
    const end = await watching.done(20_000);
    expect(end).toMatchObject({ status: 'FAILED', finishReason: 'idle_timeout' });
    expect(watching.text()).toBe(acknowledged.join(''));
    expect(await readMessage(a.graphqlUrl, token, reply.id)).toMatchObject({ status: 'FAILED', content: acknowledged.join('') });
    // Nothing else is lost: the session still takes messages and its history is whole.
    const after = dataOf(
      await graphql(a.graphqlUrl, SendMessageDocument, { sessionId, input: { content: 'still here' } }, { token }),
    ).sendMessage;
    expect(after.seq).toBe(reply.seq + 1);
  }, 60_000);
});

describe(`streamed replies without Redis (${provider})`, () => {
  let survivor: ChildServer;
  let dropDb: () => Promise<void>;
  let env: Record<string, string>;
  beforeAll(async () => {
    const db = await freshDatabase(provider);
    dropDb = db.drop;
    env = {
      DATABASE_URL: db.url,
      DATA_DIR: db.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      // Long enough that a loaded machine's pause between two appends is not taken for a dead producer.
      STREAM_IDLE_TIMEOUT_MS: '3000',
      STREAM_FLUSH_INTERVAL_MS: '150',
      LOG_LEVEL: 'warn',
    };
    survivor = await startChildServer(env);
  }, 60_000);
  afterAll(async () => {
    await survivor?.stop();
    await dropDb?.();
  });

  it('loses at most the last flush interval when the producing instance dies, and another instance fails the reply', async () => {
    const killed = await startChildServer(env);
    const token = await mintToken('dave-memory');
    const sessionId = dataOf(await graphql(killed.graphqlUrl, CreateSessionDocument, { input: { title: 'crash' } }, { token }))
      .createSession.id;
    const botToken = await mintToken('producer-memory', { service: true });
    const reply = await startReply(killed.graphqlUrl, botToken, sessionId);
    const flushed = Array.from({ length: 10 }, (_, i) => `f${i} `).join('');
    for (let i = 0; i < 10; i++) await append(killed.graphqlUrl, botToken, reply.id, [{ index: i, text: `f${i} ` }]);
    await eventually(async () => (await readMessage(survivor.graphqlUrl, token, reply.id)).content === flushed, 10_000, 'never flushed');
    await append(killed.graphqlUrl, botToken, reply.id, [{ index: 10, text: 'last ' }]);
    await killed.stop('SIGKILL');
    await eventually(async () => (await readMessage(survivor.graphqlUrl, token, reply.id)).status === 'FAILED', 20_000, 'never failed');
    const failed = await readMessage(survivor.graphqlUrl, token, reply.id);
    expect([flushed, `${flushed}last `]).toContain(failed.content);
    expect(failed.finishReason).toBe('idle_timeout');
  }, 60_000);
});
