/**
 * Frames built once per event for a whole fan-out: the wire encoding is what a ws client
 * reads, at every length form, written to the TCP socket between ws's own sends; a pending payload hands its bytes to
 * every waiting subscriber in one go, keeping each subscriber's order.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/realtime/event-queue.ts';
import { PushDelivery, type PushTarget } from '../../src/ws/push-delivery.ts';
import { PendingPayload, type SharedPayload } from '../../src/ws/shared-payloads.ts';
import { encodeTextFrame, textFramePayload } from '../../src/ws/wire-frame.ts';

/** What a ws client receives when the server writes `frames` to the TCP socket between ws's own sends. */
async function receivedBetweenWsSends(frames: Buffer[]): Promise<string[]> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  server.on('connection', (socket, request) => {
    socket.send('from ws');
    for (const frame of frames) {
      request.socket.write(frame);
      socket.send('from ws');
    }
  });
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const messages: string[] = [];
      client.on('message', (data: Buffer, isBinary: boolean) => {
        messages.push(`${isBinary ? 'binary' : 'text'}:${data.toString()}`);
        if (messages.length === frames.length * 2 + 1) resolve(messages);
      });
      client.on('error', reject);
    });
  } finally {
    client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('wire frames', () => {
  it('encodes text frames a ws client reads, at every length form, interleaved with ws sends', async () => {
    const payloads = [0, 1, 125, 126, 65_535, 65_536, 70_000].map((n) => 'é'.repeat(Math.floor(n / 2)) + 'x'.repeat(n % 2));
    const frames = payloads.map((text) => encodeTextFrame(Buffer.from(text)));
    const expected = ['text:from ws', ...payloads.flatMap((text) => [`text:${text}`, 'text:from ws'])];
    expect(await receivedBetweenWsSends(frames)).toEqual(expected);
    for (const [i, frame] of frames.entries()) expect(textFramePayload(frame).toString()).toBe(payloads[i]);
  });
});

function deferred(): { promise: Promise<Buffer>; resolve: (bytes: Buffer) => void; reject: (error: unknown) => void } {
  let resolve!: (bytes: Buffer) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<Buffer>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

function subscriber(payloadFor: (event: unknown) => SharedPayload) {
  const written: string[] = [];
  const target: PushTarget = { active: () => true, write: (bytes) => written.push(bytes.toString()) > 0 };
  const queue = new EventQueue<unknown>(10);
  const done = new PushDelivery(queue, { payloadFor }, target).run();
  return { queue, written, done };
}

describe('push delivery of pending payloads', () => {
  it('writes to every waiting subscriber when the payload settles, each in its own order', async () => {
    const slow = deferred();
    const pending = new PendingPayload(slow.promise);
    const payloads: Record<string, SharedPayload> = { first: pending, second: Buffer.from('second') };
    const subscribers = Array.from({ length: 3 }, () => subscriber((event) => payloads[event as string]!));
    for (const { queue } of subscribers) {
      queue.push('first');
      queue.push('second');
    }
    for (const { written } of subscribers) expect(written).toEqual([]);
    slow.resolve(Buffer.from('first'));
    await slow.promise;
    await Promise.resolve();
    for (const { written } of subscribers) expect(written).toEqual(['first', 'second']);
    // Later events whose payload is ready go straight through.
    subscribers[0]!.queue.push('second');
    expect(subscribers[0]!.written).toEqual(['first', 'second', 'second']);
  });

  it("fails every waiting subscriber's stream with the payload's failure", async () => {
    const slow = deferred();
    const pending = new PendingPayload(slow.promise);
    const subscribers = Array.from({ length: 2 }, () => subscriber(() => pending));
    for (const { queue } of subscribers) queue.push('event');
    slow.reject(new Error('resolver failed'));
    for (const { done, written } of subscribers) {
      await expect(done).rejects.toThrow('resolver failed');
      expect(written).toEqual([]);
    }
  });
});
