/**
 * A bounded push→pull async iterator. Unlike an async generator, `return()` ends it
 * at once even while a consumer is waiting, so unsubscribing never leaks a listener.
 * A consumer that can take events synchronously may `consume()` instead of iterating:
 * a fan-out to thousands of subscribers then costs no promise per delivery. A producer
 * that has nothing more to say `complete()`s it: what it pushed is still delivered.
 */
export class QueueOverflowError extends Error {
  constructor(limit: number) {
    super(`Subscriber fell more than ${limit} events behind; reconnect with \`after\` to catch up`);
    this.name = 'QueueOverflowError';
  }
}

/** How a queue ended: its consumer returned it, or its producer completed it after its last value. */
export type QueueEnd = 'returned' | 'completed';

/** Where `consume()` hands the queue's values, its failure and its end, synchronously. */
export interface QueueSink<T> {
  next(value: T): void;
  error(error: unknown): void;
  /** The queue ended; `completed`: every value it had was handed over and should still be delivered. */
  end(how: QueueEnd): void;
}

/** Told once when a queue ends, before its onEnd cleanups run (its owner, with no closure to keep). */
export interface QueueOwner {
  queueEnded(): void;
}

/** The buffer of every queue holding nothing (most of them, all the time): never pushed to. */
const EMPTY: never[] = [];

export class EventQueue<T> implements AsyncIterableIterator<T> {
  private buffer: T[] = EMPTY;
  private sink: QueueSink<T> | null = null;
  private waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | null = null;
  private finished = false;
  /** Ended by complete(): what is buffered is still handed out. */
  private completed = false;
  private failure: unknown = null;
  /** Made on the first onEnd: most queues have none (their owner cleans up). */
  private cleanups: (() => void)[] | null = null;

  /** `limit`: most values held for a consumer that is behind (a sink holding values of its own applies it too). */
  constructor(
    readonly limit: number,
    private readonly owner: QueueOwner | null = null,
  ) {}

  /**
   * Hands every value to `sink` as it is pushed (those already buffered first), instead of
   * through next(); the sink's failure or end comes the same way. Call it once, before iterating.
   */
  consume(sink: QueueSink<T>): void {
    this.sink = sink;
    for (const value of this.buffer.splice(0)) sink.next(value);
    if (this.failure !== null) {
      const error = this.failure;
      this.failure = null;
      sink.error(error);
    } else if (this.finished) sink.end(this.completed ? 'completed' : 'returned');
  }

  /** Runs once when the queue ends (return, failure or end). */
  onEnd(cleanup: () => void): void {
    if (this.finished) {
      cleanup();
      return;
    }
    this.cleanups ??= [];
    this.cleanups.push(cleanup);
  }

  push(value: T): void {
    if (this.finished) return;
    if (this.sink) {
      this.sink.next(value);
      return;
    }
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return;
    }
    if (this.buffer.length >= this.limit) {
      this.fail(new QueueOverflowError(this.limit));
      return;
    }
    if (this.buffer === EMPTY) this.buffer = [];
    this.buffer.push(value);
  }

  /** Ends the stream with an error for the consumer (after nothing else is delivered). */
  fail(error: unknown): void {
    if (this.finished) return;
    this.buffer = EMPTY;
    this.finish();
    if (this.sink) {
      this.sink.error(error);
      return;
    }
    this.failure = error;
    if (this.waiting) {
      const { reject } = this.waiting;
      this.waiting = null;
      reject(error);
    }
  }

  /** Ends the stream after the values already pushed: the consumer gets them, then the end. */
  complete(): void {
    if (this.finished) return;
    this.completed = true;
    this.finish();
    if (this.sink) {
      this.sink.end('completed');
      return;
    }
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.failure !== null) {
      const error = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer = EMPTY;
    const wasFinished = this.finished;
    this.finish();
    if (this.sink && !wasFinished) this.sink.end('returned');
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.owner?.queueEnded();
    const cleanups = this.cleanups;
    this.cleanups = null;
    for (const cleanup of cleanups ?? []) cleanup();
  }
}
