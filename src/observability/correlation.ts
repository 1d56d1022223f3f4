/**
 * Every request (HTTP, REST, WebSocket message) runs inside a correlation scope, so an
 * error masked for the client and the log line written for the operator share one id.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const storage = new AsyncLocalStorage<string>();

/** Accepts a caller's `x-request-id` when it is a short, harmless token; otherwise mints one. */
export function correlationIdFrom(requested: string | null | undefined): string {
  if (requested && /^[A-Za-z0-9._-]{8,64}$/.test(requested)) return requested;
  return randomUUID();
}

export function runWithCorrelationId<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}

/** The current scope's id, or a fresh one outside any scope. */
export function currentCorrelationId(): string {
  return storage.getStore() ?? randomUUID();
}
