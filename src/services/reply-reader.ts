/**
 * One reader's view of a streamed reply: turns the session's live events into deltas that
 * continue exactly where the reader is (`have`, in code points) — a delta it already has is
 * dropped, one that overlaps is trimmed, a gap (a publish lost on the way) is filled from the
 * reply state — and ends with the final event. It takes the session's events as they are
 * pushed and pushes its own onto `items`, an event queue like every other stream's, so the
 * WebSocket transport delivers them the way it delivers messages: live deltas that fit are
 * passed on as the very object the hub delivered, and every subscriber of the instance with
 * the same document writes the one payload and frame built for it.
 */
import { EventQueue, QueueOverflowError, type QueueSink } from '../realtime/event-queue.ts';
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

export class ReplyReader implements QueueSink<ReplySourceEvent> {
  /** What the reader's subscriber consumes: the replay, the live deltas, the final event. */
  readonly items: EventQueue<ReplyStreamItem>;
  /** A gap is being filled: source events wait in `held` until it is. */
  private filling = false;
  private readonly held: ReplySourceEvent[] = [];
  private ended = false;

  constructor(
    private readonly messageId: string,
    private readonly source: EventQueue<ReplySourceEvent>,
    private have: number,
    private readonly readFrom: ReadFrom,
    /** Items to hand out before the live ones (the replay). */
    first: ReplyStreamItem[],
  ) {
    this.items = new EventQueue<ReplyStreamItem>(source.limit);
    // However the items end (the subscriber went away, a failure, the final event), the reader leaves the session.
    this.items.onEnd(() => void source.return());
    for (const item of first) this.items.push(item);
    if (first.some((item) => item.type === 'MESSAGE_STREAM_END')) this.complete();
    else source.consume(this);
  }

  next(event: ReplySourceEvent): void {
    if (this.ended) return;
    if (!this.filling) this.take(event);
    else if (this.held.length >= this.source.limit) this.fail(new QueueOverflowError(this.source.limit));
    else this.held.push(event);
  }

  error(error: unknown): void {
    this.fail(error);
  }

  /** The session stream ended (closed): so do the items. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    void this.items.return();
  }

  private take(event: ReplySourceEvent): void {
    if (event.type === 'MESSAGE_DELTA') {
      this.takeDelta(event);
      return;
    }
    if (event.type === 'MESSAGE_UPDATED') {
      const { message } = event;
      if (message.status === 'STREAMING') return;
      this.catchUp(message.content);
      this.items.push({
        type: 'MESSAGE_STREAM_END',
        messageId: this.messageId,
        offset: this.have,
        status: message.status,
        finishReason: message.finishReason,
      });
    }
    // Finished, deleted, or the conversation cleared: the stream ends.
    this.complete();
  }

  private takeDelta(event: MessageDeltaEvent): void {
    const end = event.offset + deltaLength(event);
    if (end <= this.have) return;
    if (event.offset === this.have) {
      this.items.push(event);
      this.have = end;
      return;
    }
    if (event.offset < this.have) {
      this.push(event.sessionId, sliceFromCodePoint(event.text, this.have - event.offset), end);
      return;
    }
    // A gap: deltas between `have` and this one never arrived. The state holds them all;
    // what arrives meanwhile waits behind the fill.
    this.filling = true;
    this.readFrom(this.have).then(
      (missing) => {
        if (this.ended) return;
        if (missing.length > this.have) this.push(event.sessionId, missing.text, missing.length);
        this.resume();
      },
      (error: unknown) => this.fail(error),
    );
  }

  /** A gap is filled: handles what arrived meanwhile, in order, until done or another gap. */
  private resume(): void {
    this.filling = false;
    while (!this.filling && !this.ended && this.held.length > 0) this.take(this.held.shift()!);
  }

  /** Emits the final text's part the reader lacks (deltas lost just before the end). */
  private catchUp(finalText: string): void {
    const length = codePointLength(finalText);
    if (length > this.have) this.push('', sliceFromCodePoint(finalText, this.have), length);
  }

  private push(sessionId: string, text: string, end: number): void {
    this.items.push({ type: 'MESSAGE_DELTA', sessionId, messageId: this.messageId, offset: this.have, text });
    this.have = end;
  }

  /** Nothing more comes: the subscriber gets what was pushed, then the end. */
  private complete(): void {
    if (this.ended) return;
    this.ended = true;
    this.held.length = 0;
    this.items.complete();
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.held.length = 0;
    this.items.fail(error);
  }
}
