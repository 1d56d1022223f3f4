/** Real graphql-ws clients over real WebSockets, with helpers to await events and close codes. */
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface WsClient {
  client: Client;
  /** Resolves with the close code/reason of the first close. */
  closed: Promise<CloseInfo>;
  dispose(): Promise<void>;
}

export function connectWs(
  url: string,
  connectionParams: Record<string, unknown> | undefined,
  options: Partial<ClientOptions> = {},
): WsClient {
  let resolveClosed: (info: CloseInfo) => void = () => {};
  const closed = new Promise<CloseInfo>((resolve) => {
    resolveClosed = resolve;
  });
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    shouldRetry: () => false,
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        resolveClosed({ code, reason: String(reason) });
      },
    },
    onNonLazyError: () => {},
    ...options,
  });
  return { client, closed, dispose: () => client.dispose() as Promise<void> };
}

export interface Subscription<T> {
  events: T[];
  errors: unknown[];
  completed: Promise<void>;
  /** Waits until at least `count` events arrived (or fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  unsubscribe(): void;
}

export function subscribe<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Subscription<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  let done: () => void = () => {};
  const completed = new Promise<void>((resolve) => {
    done = resolve;
  });
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push(result.data as T);
        notify();
      },
      error: (error) => {
        errors.push(error);
        notify();
        done();
      },
      complete: () => {
        notify();
        done();
      },
    },
  );
  return {
    events,
    errors,
    completed,
    unsubscribe,
    waitFor(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (events.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(events);
          } else if (errors.length > 0) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`subscription failed: ${JSON.stringify(errors)}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${count} events; got ${events.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Polls `predicate` until true (for server-side state such as presence), failing after `timeoutMs`. */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  message = 'condition not met in time',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(message);
    // Poll interval, not a wait for an event: the predicate is re-checked until the deadline.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
