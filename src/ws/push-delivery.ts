/**
 * The fan-out path of one subscription: the session hub hands each event to `next`
 * synchronously, and when the event's shared payload is ready its frame is written at once.
 * A payload still being computed (a resolver to wait on) is waited for in order, at most the
 * queue's own limit of them, by registering with it: it calls every waiting subscriber when
 * it settles, so thousands of subscribers cost no promise per delivery either way. A class
 * rather than closures: an idle subscription holds one small object, not a handful of functions.
 */
import { QueueOverflowError, type EventQueue, type QueueEnd, type QueueSink } from '../realtime/event-queue.ts';
import type { PayloadWaiter, PendingPayload, SharedPayload } from './shared-payloads.ts';

/** What a delivery does with a payload: writes its frame; false once the subscription no longer wants events. */
export interface PushTarget {
  active(): boolean;
  write(payload: Buffer): boolean;
}

/** Told once when a delivery ends: `failed` with the queue's or a payload's failure, or not (completed, closed). */
export interface PushEnd {
  pushEnded(failed: boolean, error: unknown): void;
}

/** Where a delivery takes each event's payload (an object with the method: no closure to keep). */
export interface PayloadSource {
  payloadFor(event: unknown): SharedPayload;
}

const NOTHING_WAITING: never[] = [];

export class PushDelivery implements QueueSink<unknown>, PayloadWaiter {
  /** Payloads in line behind a pending one (NOTHING_WAITING, shared and never pushed to, while there are none). */
  private waiting: SharedPayload[] = NOTHING_WAITING;
  private settled = false;
  /** The queue completed: end once what waits is written. */
  private completing = false;
  private ending: PushEnd | null = null;

  constructor(
    private readonly events: EventQueue<unknown>,
    private readonly source: PayloadSource,
    private readonly target: PushTarget,
  ) {}

  /** Consumes the queue; resolves when it ends (completed, closed), rejects on its failure or a payload's. */
  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.start({ pushEnded: (failed, error) => (failed ? reject(error) : resolve()) });
    });
  }

  /** As run, telling `ending` instead of settling a promise (an idle subscription then holds none). */
  start(ending: PushEnd): void {
    this.ending = ending;
    this.events.consume(this);
  }

  next(event: unknown): void {
    try {
      if (!this.target.active()) return;
      const payload = this.source.payloadFor(event);
      if (this.waiting.length === 0 && Buffer.isBuffer(payload)) {
        this.target.write(payload);
        return;
      }
      if (this.waiting.length >= this.events.limit) {
        this.error(new QueueOverflowError(this.events.limit));
        return;
      }
      if (this.waiting === NOTHING_WAITING) this.waiting = [];
      this.waiting.push(payload);
      if (this.waiting.length === 1) this.drain();
    } catch (error) {
      this.error(error);
    }
  }

  /** The pending payload at the head of the line settled. */
  payloadSettled(): void {
    try {
      this.drain();
    } catch (error) {
      this.error(error);
    }
  }

  error(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.waiting = NOTHING_WAITING;
    void this.events.return();
    this.ending?.pushEnded(true, error);
  }

  /**
   * The queue ended. Returned (the operation completed or closed): what still waits is dropped,
   * as the queue drops its buffer. Completed by its producer: what waits is written first.
   */
  end(how: QueueEnd): void {
    if (this.settled) return;
    if (how === 'completed') {
      this.completing = true;
      this.drain();
      return;
    }
    this.finish();
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.waiting = NOTHING_WAITING;
    this.ending?.pushEnded(false, null);
  }

  /** Writes the ready payloads at the head of the line; waits on the first one still pending. */
  private drain(): void {
    while (this.waiting.length > 0 && !this.settled) {
      const head = this.waiting[0]!;
      const bytes = Buffer.isBuffer(head) ? head : head.bytes;
      if (bytes === null) {
        const pending = head as PendingPayload;
        if (pending.failed) this.error(pending.failure);
        else pending.wait(this);
        return;
      }
      this.waiting.shift();
      if (!this.target.write(bytes)) {
        // Nobody to write to any more: nothing else will come for a completed queue.
        if (this.completing) this.finish();
        return;
      }
    }
    if (this.completing && this.waiting.length === 0) this.finish();
  }
}
