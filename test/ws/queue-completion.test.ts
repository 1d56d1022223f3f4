/**
 * A producer's end of an event queue (complete) as opposed to its consumer's (return): what
 * was pushed before it is still delivered, to an iterator and through a push delivery (a
 * reply's final event waiting on its payload), and a delivery whose subscriber is gone still ends.
 */
import { describe, expect, it } from 'vitest';
import { EventQueue, type QueueEnd } from '../../src/realtime/event-queue.ts';
import { PushDelivery } from '../../src/ws/push-delivery.ts';
import { PendingPayload, type SharedPayload } from '../../src/ws/shared-payloads.ts';

function deferred() {
  let resolve!: (bytes: Buffer) => void;
  const promise = new Promise<Buffer>((yes) => {
    resolve = yes;
  });
  return { promise, resolve };
}

describe('a completed event queue', () => {
  it('hands an iterator what was pushed before it completed, then the end, and runs its cleanups once', async () => {
    const queue = new EventQueue<number>(10);
    let cleaned = 0;
    queue.onEnd(() => cleaned++);
    queue.push(1);
    queue.push(2);
    queue.complete();
    queue.push(3);
    queue.complete();
    expect([await queue.next(), await queue.next(), await queue.next()]).toEqual([
      { value: 1, done: false },
      { value: 2, done: false },
      { value: undefined, done: true },
    ]);
    expect(cleaned).toBe(1);

    const waiting = new EventQueue<number>(10);
    const step = waiting.next();
    waiting.complete();
    expect(await step).toEqual({ value: undefined, done: true });
  });

  it('tells a sink it completed, whether it arrived before or after, and a later return changes nothing', async () => {
    const seen: string[] = [];
    const sink = {
      next: (value: number) => seen.push(`next ${value}`),
      error: () => seen.push('error'),
      end: (how: QueueEnd) => seen.push(how),
    };
    const early = new EventQueue<number>(10);
    early.consume(sink);
    early.push(1);
    early.complete();
    await early.return();
    const late = new EventQueue<number>(10);
    late.push(2);
    late.complete();
    late.consume(sink);
    const returned = new EventQueue<number>(10);
    returned.consume(sink);
    await returned.return();
    expect(seen).toEqual(['next 1', 'completed', 'next 2', 'completed', 'returned']);
  });
});

describe('a push delivery of a completed queue', () => {
  it('writes the payload still pending when the queue completed, then ends', async () => {
    const slow = deferred();
    const payloads: Record<string, SharedPayload> = { last: new PendingPayload(slow.promise), ready: Buffer.from('ready') };
    const written: string[] = [];
    const queue = new EventQueue<unknown>(10);
    let ended = false;
    const done = new PushDelivery(
      queue,
      { payloadFor: (event) => payloads[event as string]! },
      {
        active: () => true,
        write: (bytes) => written.push(bytes.toString()) > 0,
      },
    )
      .run()
      .then(() => {
        ended = true;
      });
    queue.push('ready');
    queue.push('last');
    queue.complete();
    await Promise.resolve();
    expect({ written, ended }).toEqual({ written: ['ready'], ended: false });
    slow.resolve(Buffer.from('last'));
    await done;
    expect(written).toEqual(['ready', 'last']);
  });

  it('ends when its subscriber went away while a payload was pending', async () => {
    const slow = deferred();
    let active = true;
    const queue = new EventQueue<unknown>(10);
    const done = new PushDelivery(
      queue,
      { payloadFor: () => new PendingPayload(slow.promise) },
      { active: () => active, write: () => active },
    ).run();
    queue.push('last');
    queue.complete();
    active = false;
    slow.resolve(Buffer.from('last'));
    await expect(done).resolves.toBeUndefined();
  });
});
