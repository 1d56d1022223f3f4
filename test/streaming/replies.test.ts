/**
 * Streamed replies on one server, on every tested database, with the hot state in memory and
 * in Redis: the producer's calls (start, append, complete, fail), who may make them, cancel,
 * the reader's stream from any offset, the length limit, the coalesced flush and the sweeper.
 */
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { expectCodedError } from '../support/coded-errors.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { cleanPrefix, redisTestsEnabled, redisUrl, uniquePrefix } from '../support/redis.ts';
import { testedProviders } from '../support/server.ts';
import { connectWs, eventually, subscribe, type WsClient } from '../support/ws-client.ts';
import { append, appendRaw, CANCEL, COMPLETE, FAIL, readMessage, readStream, START, startReply, type StreamEvent } from './reply-client.ts';

const redisEnabled = await redisTestsEnabled();
const variants = testedProviders().flatMap((provider) => [
  { provider, redis: false },
  ...(redisEnabled ? [{ provider, redis: true }] : []),
]);

describe.each(variants)('streamed replies ($provider, redis: $redis)', ({ provider, redis }) => {
  const prefix = uniquePrefix();
  const chat = useChatServer(provider, {
    MAX_MESSAGE_LENGTH: '40',
    STREAM_FLUSH_INTERVAL_MS: '100',
    STREAM_IDLE_TIMEOUT_MS: '2000',
    ...(redis ? { REDIS_URL: redisUrl, REDIS_CHANNEL_PREFIX: prefix } : {}),
  });
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  afterAll(async () => {
    if (redis) await cleanPrefix(prefix);
  });

  async function setup() {
    const alice = uniqueUser('alice');
    const bot = uniqueUser('bot');
    const sessionId = await chat.createSession(alice);
    const aliceToken = await chat.server.token(alice);
    const botToken = await chat.server.token(bot, { service: true });
    const ws = connectWs(chat.server.wsUrl, { token: aliceToken });
    clients.push(ws);
    return { alice, bot, sessionId, aliceToken, botToken, ws, url: chat.server.graphqlUrl };
  }

  it('opens a STREAMING reply at its seq, announces it, and shows the text so far to queries', async () => {
    const { alice, sessionId, aliceToken, botToken, ws, url } = await setup();
    await chat.send(alice, sessionId, 'hello');
    const received = subscribe<{ messageReceived: { id: string; seq: number; status: string } }>(
      ws.client,
      `subscription($s: ID!) { messageReceived(sessionId: $s, afterSeq: 0) { id seq status } }`,
      { s: sessionId },
    );
    await received.waitFor(1);
    const reply = await startReply(url, botToken, sessionId);
    expect(reply).toMatchObject({ seq: 2, status: 'STREAMING', content: '', role: 'ASSISTANT' });
    const events = await received.waitFor(2);
    expect(events[1]!.messageReceived).toEqual({ id: reply.id, seq: 2, status: 'STREAMING' });
    await chat.send(alice, sessionId, 'while it streams');
    expect(await append(url, botToken, reply.id, [{ index: 0, text: 'Hi ' }])).toEqual({
      messageId: reply.id,
      status: 'STREAMING',
      offset: 3,
      nextIndex: 1,
    });
    expect(await readMessage(url, aliceToken, reply.id)).toMatchObject({ seq: 2, status: 'STREAMING', content: 'Hi ' });
    const done = await graphql<{ completeMessage: { status: string; content: string; finishReason: string; metadata: unknown } }>(
      url,
      COMPLETE,
      { id: reply.id, input: { finishReason: 'stop', metadata: { model: 'echo' } } },
      { token: botToken },
    );
    expect(dataOf(done).completeMessage).toEqual({
      id: reply.id,
      status: 'COMPLETE',
      content: 'Hi ',
      finishReason: 'stop',
      metadata: { model: 'echo' },
    });
    const history = await graphql<{ messages: { seq: number; status: string }[] }>(
      url,
      `query($s: ID!) { messages(sessionId: $s, limit: 10) { seq status } }`,
      { s: sessionId },
      { token: aliceToken },
    );
    expect(dataOf(history).messages).toEqual([
      { seq: 1, status: 'COMPLETE' },
      { seq: 2, status: 'COMPLETE' },
      { seq: 3, status: 'COMPLETE' },
    ]);
  });

  it('returns the same reply to a retried start and to racing starts with one clientMessageId', async () => {
    const { sessionId, botToken, url } = await setup();
    // Open the connections first, so the starts arrive together rather than one per new connection.
    await Promise.all(Array.from({ length: 8 }, () => graphql(url, '{ __typename }', {}, { token: botToken })));
    for (let round = 1; round <= 10; round += 1) {
      const input = { clientMessageId: `reply-to-${round}` };
      const racing = await Promise.all(Array.from({ length: 8 }, () => startReply(url, botToken, sessionId, input)));
      expect(new Set(racing.map((reply) => reply.id)).size).toBe(1);
      expect(racing.map((reply) => reply.seq)).toEqual(racing.map(() => round));
      expect(await startReply(url, botToken, sessionId, input)).toMatchObject({ id: racing[0]!.id, seq: round, status: 'STREAMING' });
    }
  });

  it('stores a retried chunk once, takes a batch in any order, and refuses a gap with CHUNK_OUT_OF_ORDER', async () => {
    const { sessionId, aliceToken, botToken, url } = await setup();
    const reply = await startReply(url, botToken, sessionId);
    await append(url, botToken, reply.id, [
      { index: 0, text: 'a' },
      { index: 1, text: 'b' },
    ]);
    expect(await append(url, botToken, reply.id, [{ index: 1, text: 'b' }])).toMatchObject({ offset: 2, nextIndex: 2 });
    const gap = await appendRaw(url, botToken, reply.id, [{ index: 3, text: 'd' }]);
    expectCodedError(gap, 'CHUNK_OUT_OF_ORDER', /next is 2/);
    expect(gap.errors?.[0]?.extensions?.nextIndex).toBe(2);
    expect(
      await append(url, botToken, reply.id, [
        { index: 3, text: 'd' },
        { index: 2, text: 'c' },
        { index: 1, text: 'b' },
      ]),
    ).toMatchObject({
      offset: 4,
      nextIndex: 4,
    });
    expect((await readMessage(url, aliceToken, reply.id)).content).toBe('abcd');
  });

  it('lets only the service that started a reply produce it, and refuses changes to a reply that ended', async () => {
    const { sessionId, aliceToken, botToken, url } = await setup();
    expectCodedError(await graphql(url, START, { s: sessionId }, { token: aliceToken }), 'FORBIDDEN');
    const reply = await startReply(url, botToken, sessionId);
    expectCodedError(await appendRaw(url, aliceToken, reply.id, [{ index: 0, text: 'x' }]), 'FORBIDDEN');
    const otherBot = await chat.server.token(uniqueUser('other-bot'), { service: true });
    expectCodedError(await appendRaw(url, otherBot, reply.id, [{ index: 0, text: 'x' }]), 'FORBIDDEN');
    await append(url, botToken, reply.id, [{ index: 0, text: 'kept' }]);
    const edit = await graphql(
      url,
      `mutation($id: ID!) { updateMessage(id: $id, input: { content: "edited" }) { id } }`,
      { id: reply.id },
      { token: botToken },
    );
    expectCodedError(edit, 'MESSAGE_STREAMING');
    await graphql(url, FAIL, { id: reply.id, reason: 'model crashed' }, { token: botToken });
    const failed = await readMessage(url, aliceToken, reply.id);
    expect(failed).toMatchObject({ status: 'FAILED', content: 'kept', finishReason: 'model crashed' });
    const late = await appendRaw(url, botToken, reply.id, [{ index: 1, text: 'more' }]);
    expectCodedError(late, 'MESSAGE_NOT_STREAMING');
    expect(late.errors?.[0]?.extensions?.status).toBe('FAILED');
    expectCodedError(await graphql(url, COMPLETE, { id: reply.id }, { token: botToken }), 'MESSAGE_NOT_STREAMING');
    expect((await readMessage(url, aliceToken, reply.id)).content).toBe('kept');
  });

  it('stops a reply on cancel: it keeps its text, the producer learns it on its next append, readers get CANCELLED', async () => {
    const { sessionId, aliceToken, botToken, ws, url } = await setup();
    const reply = await startReply(url, botToken, sessionId);
    await append(url, botToken, reply.id, [{ index: 0, text: 'Once upon ' }]);
    const reader = readStream(ws.client, reply.id);
    await reader.reached(10);
    const cancelled = await graphql<{ cancelMessage: { status: string; content: string } }>(
      url,
      CANCEL,
      { id: reply.id },
      { token: aliceToken },
    );
    expect(dataOf(cancelled).cancelMessage).toMatchObject({ status: 'CANCELLED', content: 'Once upon ' });
    expect(await append(url, botToken, reply.id, [{ index: 1, text: 'a time' }])).toMatchObject({ status: 'CANCELLED', offset: 10 });
    const final = await reader.done();
    expect(final).toMatchObject({ done: true, status: 'CANCELLED', offset: 10, text: '' });
    expect(reader.text()).toBe('Once upon ');
    expect(await readMessage(url, aliceToken, reply.id)).toMatchObject({ status: 'CANCELLED', content: 'Once upon ' });
    const outsider = await chat.server.token(uniqueUser('mallory'));
    expectCodedError(await graphql(url, CANCEL, { id: reply.id }, { token: outsider }), 'NOT_FOUND');
  });

  it('lets exactly one of a racing complete and cancel end the reply, and stores what the winner decided', async () => {
    const { sessionId, aliceToken, botToken, url } = await setup();
    for (let round = 0; round < 5; round++) {
      const reply = await startReply(url, botToken, sessionId);
      await append(url, botToken, reply.id, [{ index: 0, text: 'race' }]);
      const [completed, cancelled] = await Promise.all([
        graphql<{ completeMessage: { status: string } }>(
          url,
          COMPLETE,
          { id: reply.id, input: { finishReason: 'stop', metadata: { won: 'complete' } } },
          { token: botToken },
        ),
        graphql<{ cancelMessage: { status: string } }>(url, CANCEL, { id: reply.id }, { token: aliceToken }),
      ]);
      const winners = [completed, cancelled].filter((response) => !response.errors);
      expect(winners).toHaveLength(1);
      const loser = completed.errors ? completed : cancelled;
      expectCodedError(loser, 'MESSAGE_NOT_STREAMING');
      const stored = await graphql<{ message: { status: string; content: string; finishReason: string; metadata: unknown } }>(
        url,
        `query($id: ID!) { message(id: $id) { status content finishReason metadata } }`,
        { id: reply.id },
        { token: aliceToken },
      );
      expect(dataOf(stored).message).toEqual(
        completed.errors
          ? { status: 'CANCELLED', content: 'race', finishReason: 'cancelled', metadata: null }
          : { status: 'COMPLETE', content: 'race', finishReason: 'stop', metadata: { won: 'complete' } },
      );
    }
  });

  it('sends a late reader exactly the text it lacks from its offset, then the live deltas and the final event', async () => {
    const { sessionId, botToken, ws, url } = await setup();
    const reply = await startReply(url, botToken, sessionId);
    await append(url, botToken, reply.id, [{ index: 0, text: 'héllo 🌍 ' }]);
    const fromStart = readStream(ws.client, reply.id, 0);
    const fromMiddle = readStream(ws.client, reply.id, 7); // after "héllo 🌍": offsets count code points
    await fromMiddle.reached(8);
    await append(url, botToken, reply.id, [{ index: 1, text: 'wörld' }]);
    await graphql(url, COMPLETE, { id: reply.id }, { token: botToken });
    expect((await fromStart.done()).status).toBe('COMPLETE');
    expect(fromStart.text()).toBe('héllo 🌍 wörld');
    await fromMiddle.done();
    expect(fromMiddle.text()).toBe(' wörld');
    const afterEnd = readStream(ws.client, reply.id, 3);
    expect(await afterEnd.done()).toMatchObject({ offset: 13, status: 'COMPLETE' });
    expect(afterEnd.text()).toBe('lo 🌍 wörld');
    const beyond = subscribe(ws.client, `subscription($id: ID!) { messageStream(messageId: $id, fromOffset: 99) { offset } }`, {
      id: reply.id,
    });
    await beyond.completed;
    expect(JSON.stringify(beyond.errors)).toContain('BAD_USER_INPUT');
  });

  it('keeps a reply within MAX_MESSAGE_LENGTH: exactly the limit is taken, one more character is refused', async () => {
    const { sessionId, aliceToken, botToken, url } = await setup();
    const reply = await startReply(url, botToken, sessionId);
    await append(url, botToken, reply.id, [{ index: 0, text: 'x'.repeat(39) }]);
    expect(await append(url, botToken, reply.id, [{ index: 1, text: '🌍' }])).toMatchObject({ offset: 40, nextIndex: 2 });
    const over = await appendRaw(url, botToken, reply.id, [{ index: 2, text: 'y' }]);
    expectCodedError(over, 'BAD_USER_INPUT', /exceed 40 characters/);
    expect((await readMessage(url, aliceToken, reply.id)).content).toBe(`${'x'.repeat(39)}🌍`);
    const tooMany = await appendRaw(
      url,
      botToken,
      reply.id,
      Array.from({ length: 101 }, (_, i) => ({ index: i + 2, text: '' })),
    );
    expectCodedError(tooMany, 'BAD_USER_INPUT', /at most 100 chunks/);
  });

  it('writes the text to the database coalesced, and marks a reply left without appends FAILED with its text', async () => {
    const { sessionId, aliceToken, botToken, url } = await setup();
    const reply = await startReply(url, botToken, sessionId);
    for (let i = 0; i < 5; i++) await append(url, botToken, reply.id, [{ index: i, text: `w${i} ` }]);
    await eventually(
      async () => (await chat.server.app.prisma.conversationMessage.findUnique({ where: { id: reply.id } }))?.content === 'w0 w1 w2 w3 w4 ',
      5000,
      'the text was never flushed to the database',
    );
    // No append for STREAM_IDLE_TIMEOUT_MS: the sweeper fails it, keeping the text.
    await eventually(
      async () => (await readMessage(url, aliceToken, reply.id)).status === 'FAILED',
      10_000,
      'the idle reply was never failed',
    );
    expect(await readMessage(url, aliceToken, reply.id)).toMatchObject({ content: 'w0 w1 w2 w3 w4 ', finishReason: 'idle_timeout' });
  });

  it('streams a reply to an SSE reader', async () => {
    const { sessionId, aliceToken, botToken, url } = await setup();
    const reply = await startReply(url, botToken, sessionId);
    await append(url, botToken, reply.id, [{ index: 0, text: 'over ' }]);
    const client = createSseClient({ url, headers: { authorization: `Bearer ${aliceToken}` }, retryAttempts: 0 });
    const events: StreamEvent[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      client.subscribe<{ messageStream: StreamEvent }>(
        {
          query: `subscription($id: ID!) { messageStream(messageId: $id) { messageId offset text status finishReason done } }`,
          variables: { id: reply.id },
        },
        {
          next: (result) => {
            if (result.data) events.push(result.data.messageStream);
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    await eventually(() => events.length >= 1, 5000, 'the SSE reader got no replay');
    await append(url, botToken, reply.id, [{ index: 1, text: 'SSE' }]);
    await graphql(url, COMPLETE, { id: reply.id }, { token: botToken });
    await finished;
    client.dispose();
    expect(events.map((e) => e.text).join('')).toBe('over SSE');
    expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE', offset: 8 });
  });
});

describe('streamed replies over the legacy REST routes', () => {
  const chat = useChatServer('sqlite');

  it('lists a streaming reply with its text so far and its status, and the final one after it ends', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const botToken = await chat.server.token(uniqueUser('bot'), { service: true });
    const reply = await startReply(chat.server.graphqlUrl, botToken, sessionId);
    await append(chat.server.graphqlUrl, botToken, reply.id, [{ index: 0, text: 'partial' }]);
    const list = async () => {
      const response = await fetch(`${chat.server.url}/chat/sessions/${sessionId}/messages`, {
        headers: { authorization: `Bearer ${await chat.server.token(alice)}` },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { id: string; content: string; status: string; finishReason: string | null }[];
    };
    expect(await list()).toEqual([expect.objectContaining({ id: reply.id, content: 'partial', status: 'STREAMING', finishReason: null })]);
    await graphql(chat.server.graphqlUrl, COMPLETE, { id: reply.id, input: { finishReason: 'length' } }, { token: botToken });
    expect(await list()).toEqual([
      expect.objectContaining({ id: reply.id, content: 'partial', status: 'COMPLETE', finishReason: 'length' }),
    ]);
  });
});
