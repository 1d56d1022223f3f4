/**
 * The fan-out path: events reach subscribers synchronously from the session hub, payloads
 * that wait on a resolver keep their place in line, and one frame is built per event and
 * operation id rather than per socket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventQueue, QueueOverflowError, type QueueSink } from '../../src/realtime/event-queue.ts';
import { nextFrame } from '../../src/ws/shared-payloads.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { testedProviders } from '../support/server.ts';
import { waitForPresence } from '../support/subscription-live.ts';
import { connectWs, subscribe, type WsClient } from '../support/ws-client.ts';

function recordingSink(): QueueSink<number> & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    next: (value) => seen.push(`next ${value}`),
    error: (error) => seen.push(`error ${String(error)}`),
    end: () => seen.push('end'),
  };
}

describe('an event queue consumed by a sink', () => {
  it('hands over what it buffered first, then every value as it is pushed', () => {
    const queue = new EventQueue<number>(10);
    queue.push(1);
    queue.push(2);
    const sink = recordingSink();
    queue.consume(sink);
    queue.push(3);
    expect(sink.seen).toEqual(['next 1', 'next 2', 'next 3']);
  });

  it('tells the sink of its end and its failure once, and runs its cleanups', async () => {
    const ended = new EventQueue<number>(10);
    const endSink = recordingSink();
    let cleaned = 0;
    ended.onEnd(() => cleaned++);
    ended.consume(endSink);
    await ended.return();
    await ended.return();
    ended.push(4);
    expect(endSink.seen).toEqual(['end']);
    expect(cleaned).toBe(1);

    const failed = new EventQueue<number>(10);
    const failSink = recordingSink();
    failed.consume(failSink);
    failed.fail(new QueueOverflowError(10));
    await failed.return();
    expect(failSink.seen).toHaveLength(1);
    expect(failSink.seen[0]).toMatch(/^error QueueOverflowError/);
  });

  it('reports a failure that happened before the sink arrived', () => {
    const queue = new EventQueue<number>(10);
    queue.fail(new Error('gone'));
    const sink = recordingSink();
    queue.consume(sink);
    expect(sink.seen).toEqual(['error Error: gone']);
  });
});

describe('next frames', () => {
  it('builds one frame per payload and operation id, whatever the number of sockets', () => {
    const payload = Buffer.from('{"data":{"x":1}}');
    const frame = nextFrame('1', payload);
    expect(JSON.parse(frame.toString())).toEqual({ id: '1', type: 'next', payload: { data: { x: 1 } } });
    expect(nextFrame('1', payload)).toBe(frame);
    const other = nextFrame('sub "2"', payload);
    expect(other).not.toBe(frame);
    expect(JSON.parse(other.toString()).id).toBe('sub "2"');
  });
});

describe.each(testedProviders())('push delivery on %s', (provider) => {
  const chat = useChatServer(provider, { MESSAGES_PER_MINUTE: '0' });
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  const connect = async (userId: string) => {
    const ws = connectWs(chat.server.wsUrl, { authorization: `Bearer ${await chat.server.token(userId)}` });
    clients.push(ws);
    return ws.client;
  };

  it('delivers every message of concurrent sends once and in seq order, with or without a resolver to wait on', async () => {
    const owner = uniqueUser('sender');
    const reader = uniqueUser('reader');
    const sessionId = await chat.createSession(owner, [reader]);
    type Event = { messageReceived: { seq: number } };
    // `session` is loaded from the database per event: its payload is not ready synchronously.
    const waiting = subscribe<Event>(
      await connect(owner),
      'subscription($s: ID!) { messageReceived(sessionId: $s) { seq session { title messageCount } } }',
      {
        s: sessionId,
      },
    );
    const ready = subscribe<Event>(await connect(reader), 'subscription($s: ID!) { messageReceived(sessionId: $s) { seq content } }', {
      s: sessionId,
    });
    await waitForPresence(chat.server, sessionId, 2);
    const count = 20;
    await Promise.all(Array.from({ length: count }, (_, i) => chat.send(owner, sessionId, `m${i}`)));
    const expected = Array.from({ length: count }, (_, i) => i + 1);
    expect((await waiting.waitFor(count)).map((e) => e.messageReceived.seq)).toEqual(expected);
    expect((await ready.waitFor(count)).map((e) => e.messageReceived.seq)).toEqual(expected);
  });
});
