/**
 * One reader's view of a streamed reply: turns the session's live events into deltas that
 * continue exactly where the reader is (`have`, in code points) — a delta it already has is
 * dropped, one that overlaps is trimmed, a gap (a publish lost on the way) is filled from the
 * reply state — and ends with the final event. Live deltas that fit are passed on as the very
 * object the hub delivered, so subscribers of one instance share its serialized payload.
 */
import type { MessageDeltaEvent, MessageUpdatedEvent, SessionEvent } from '../realtime/events.ts';
import { codePointLength, sliceFromCodePoint, type ReplyStatus } from '../realtime/reply-state.ts';

/** The last event of a reply's stream: its status, total length and finish reason. */
export interface ReplyEndEvent {
  type: 'MESSAGE_STREAM_END';
  messageId: string;
  offset: number;
  status: Exclude<ReplyStatus, 'STREAMING'>;
  finishReason: string | null;
}

export type ReplyStreamItem = MessageDeltaEvent | ReplyEndEvent;

/** What the session stream carries for one reply. */
export type ReplySourceEvent =
  | MessageDeltaEvent
  | MessageUpdatedEvent
  | Extract<SessionEvent, { type: 'MESSAGE_DELETED' | 'CONVERSATION_CLEARED' }>;

/** Reads the reply's text from code point `offset` on, with its total length (gap fills). */
export type ReadFrom = (offset: number) => Promise<{ text: string; length: number }>;

const lengths = new WeakMap<MessageDeltaEvent, number>();
/** A delta's length, measured once per event object (shared by every reader of the instance). */
function deltaLength(event: MessageDeltaEvent): number {
  let length = lengths.get(event);
  if (length === undefined) {
    length = codePointLength(event.text);
    lengths.set(event, length);
  }
  return length;
}

export class ReplyReader implements AsyncIterableIterator<ReplyStreamItem> {
  private readonly pending: ReplyStreamItem[] = [];
  private ended = false;

  constructor(
    private readonly messageId: string,
    private readonly source: AsyncIterableIterator<ReplySourceEvent>,
    private have: number,
    private readonly readFrom: ReadFrom,
    /** Items to hand out before the live ones (the replay). */
    first: ReplyStreamItem[],
  ) {
    this.pending.push(...first);
    if (first.some((item) => item.type === 'MESSAGE_STREAM_END')) this.ended = true;
  }

  async next(): Promise<IteratorResult<ReplyStreamItem>> {
    for (;;) {
      const queued = this.pending.shift();
      if (queued) return { value: queued, done: false };
      if (this.ended) return this.return();
      const step = await this.source.next();
      if (step.done) return { value: undefined, done: true };
      await this.take(step.value);
    }
  }

  return(): Promise<IteratorResult<ReplyStreamItem>> {
    this.ended = true;
    this.pending.length = 0;
    return this.source.return
      ? this.source.return().then(() => ({ value: undefined, done: true }))
      : Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async take(event: ReplySourceEvent): Promise<void> {
    if (event.type === 'MESSAGE_DELTA') return this.takeDelta(event);
    if (event.type === 'MESSAGE_UPDATED') {
      const { message } = event;
      if (message.status === 'STREAMING') return;
      this.catchUp(message.content);
      this.pending.push({
        type: 'MESSAGE_STREAM_END',
        messageId: this.messageId,
        offset: this.have,
        status: message.status,
        finishReason: message.finishReason,
      });
      this.ended = true;
      return;
    }
    // Deleted, or the conversation cleared: the reply is gone, the stream ends.
    this.ended = true;
  }

  private async takeDelta(event: MessageDeltaEvent): Promise<void> {
    const end = event.offset + deltaLength(event);
    if (end <= this.have) return;
    if (event.offset === this.have) {
      this.pending.push(event);
      this.have = end;
      return;
    }
    if (event.offset < this.have) {
      this.push(event.sessionId, sliceFromCodePoint(event.text, this.have - event.offset), end);
      return;
    }
    // A gap: deltas between `have` and this one never arrived. The state holds them all.
    const missing = await this.readFrom(this.have);
    if (missing.length > this.have) this.push(event.sessionId, missing.text, missing.length);
  }

  /** Emits the final text's part the reader lacks (deltas lost just before the end). */
  private catchUp(finalText: string): void {
    const length = codePointLength(finalText);
    if (length > this.have) this.push('', sliceFromCodePoint(finalText, this.have), length);
  }

  private push(sessionId: string, text: string, end: number): void {
    this.pending.push({ type: 'MESSAGE_DELTA', sessionId, messageId: this.messageId, offset: this.have, text });
    this.have = end;
  }
}
