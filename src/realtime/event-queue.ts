/**
 * A bounded push→pull async iterator. Unlike an async generator, `return()` ends it
 * at once even while a consumer is waiting, so unsubscribing never leaks a listener.
 */
export class QueueOverflowError extends Error {
  constructor(limit: number) {
    super(`Subscriber fell more than ${limit} events behind; reconnect with \`after\` to catch up`);
    this.name = 'QueueOverflowError';
  }
}

export class EventQueue<T> implements AsyncIterableIterator<T> {
  private buffer: T[] = [];
  private waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | null = null;
  private finished = false;
  private failure: unknown = null;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Runs once when the queue ends (return, failure or end). */
  onEnd(cleanup: () => void): void {
    if (this.finished) cleanup();
    else this.cleanups.push(cleanup);
  }

  push(value: T): void {
    if (this.finished) return;
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
    this.buffer.push(value);
  }

  /** Ends the stream with an error for the consumer (after nothing else is delivered). */
  fail(error: unknown): void {
    if (this.finished) return;
    this.failure = error;
    this.buffer = [];
    this.finish();
    if (this.waiting) {
      const { reject } = this.waiting;
      this.waiting = null;
      reject(error);
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
    this.buffer = [];
    this.finish();
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
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}
