/**
 * One reader's deltas, pushed as the session's events arrive: a gap is filled from the reply
 * state while later events wait behind it in order, overlaps are trimmed, duplicates dropped,
 * the final text's missing end is sent before the final event, and the reader's items end
 * however it ends (leaving the session with them). Complements the end-to-end tests in
 * replies.test.ts and shared-deltas.test.ts with the orderings a live server rarely produces.
 */
import { describe, expect, it } from 'vitest';
import type { ConversationMessage } from '../../src/db/prisma-client.ts';
import { EventQueue, QueueOverflowError } from '../../src/realtime/event-queue.ts';
import type { MessageDeltaEvent } from '../../src/realtime/events.ts';
import { ReplyReader, type ReplySourceEvent, type ReplyStreamItem } from '../../src/services/reply-reader.ts';

const delta = (offset: number, text: string): MessageDeltaEvent => ({
  type: 'MESSAGE_DELTA',
  sessionId: 's',
  messageId: 'm',
  offset,
  text,
});
const finished = (content: string): ReplySourceEvent => ({
  type: 'MESSAGE_UPDATED',
  sessionId: 's',
  message: { id: 'm', status: 'COMPLETE', content, finishReason: 'stop' } as ConversationMessage,
});

function deferredText() {
  let resolve!: (value: { text: string; length: number }) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<{ text: string; length: number }>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

async function drain(items: EventQueue<ReplyStreamItem>): Promise<string[]> {
  const seen: string[] = [];
  for await (const item of items) seen.push(item.type === 'MESSAGE_DELTA' ? `${item.offset}:${item.text}` : `end@${item.offset}`);
  return seen;
}

describe('a reply reader', () => {
  it('fills a gap from the reply state, then handles what arrived meanwhile in order, and ends after the final event', async () => {
    const source = new EventQueue<ReplySourceEvent>(10);
    const fill = deferredText();
    const reads: number[] = [];
    const reader = new ReplyReader(
      'm',
      source,
      3,
      (offset) => {
        reads.push(offset);
        return fill.promise;
      },
      [delta(0, 'abc')],
    );
    const live = delta(3, 'de');
    source.push(live);
    source.push(delta(7, 'hi')); // 5–7 never arrived
    source.push(delta(5, 'fg')); // arrives late: the fill already holds it
    source.push(delta(8, 'ijk')); // overlaps what the fill brings
    const next = delta(11, 'l');
    source.push(next);
    source.push(finished('abcdefghijklm'));
    expect(reads).toEqual([5]);
    fill.resolve({ text: 'fghi', length: 9 });

    expect(await drain(reader.items)).toEqual(['0:abc', '3:de', '5:fghi', '9:jk', '11:l', '12:m', 'end@13']);
    // Deltas that fit are handed on as the objects the session delivered (their payload is shared).
    const passed: ReplyStreamItem[] = [];
    const otherSource = new EventQueue<ReplySourceEvent>(10);
    const other = new ReplyReader('m', otherSource, 3, () => fill.promise, []);
    other.items.consume({ next: (item) => passed.push(item), error: () => {}, end: () => {} });
    otherSource.push(live);
    otherSource.push(delta(4, 'ef'));
    expect(passed[0]).toBe(live);
    expect(passed[1]).toEqual(delta(5, 'f'));
    // Ended by its final event, the reader left the session's stream.
    source.push(delta(13, 'late'));
    expect(await source.next()).toEqual({ value: undefined, done: true });
  });

  it('fails its items when the gap cannot be filled, or when too much arrives while it is', async () => {
    const failing = deferredText();
    const source = new EventQueue<ReplySourceEvent>(10);
    const reader = new ReplyReader('m', source, 0, () => failing.promise, []);
    source.push(delta(4, 'x'));
    failing.reject(new Error('state unavailable'));
    await expect(drain(reader.items)).rejects.toThrow('state unavailable');

    const crowded = new EventQueue<ReplySourceEvent>(10);
    const slow = new ReplyReader('m', crowded, 0, () => new Promise(() => {}), []);
    for (let i = 0; i <= 11; i++) crowded.push(delta(4 + i, 'x'));
    await expect(drain(slow.items)).rejects.toBeInstanceOf(QueueOverflowError);
    expect(await crowded.next()).toEqual({ value: undefined, done: true });
  });

  it('ends at once, after its replay, for a reply that had ended; leaves the session when its subscriber goes', async () => {
    const source = new EventQueue<ReplySourceEvent>(10);
    const ended = new ReplyReader('m', source, 2, () => Promise.reject(new Error('unused')), [
      delta(0, 'ab'),
      { type: 'MESSAGE_STREAM_END', messageId: 'm', offset: 2, status: 'COMPLETE', finishReason: null },
    ]);
    expect(await drain(ended.items)).toEqual(['0:ab', 'end@2']);
    expect(await source.next()).toEqual({ value: undefined, done: true });

    const watched = new EventQueue<ReplySourceEvent>(10);
    const reader = new ReplyReader('m', watched, 0, () => Promise.reject(new Error('unused')), []);
    let left = false;
    watched.onEnd(() => {
      left = true;
    });
    await reader.items.return();
    expect(left).toBe(true);
  });
});
