/**
 * Every request (HTTP, REST, WebSocket operation) runs inside a correlation scope, so an
 * error masked for the client and the log line written for the operator share one id.
 * The scope also remembers when the request began and, once a token is verified, whose
 * it is: the access log and the send-latency histogram read them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** What the current request's scope knows about it. */
export interface RequestScope {
  readonly correlationId: string;
  /** `performance.now()` when the scope began. */
  readonly startedAt: number;
  /** The verified user the request acts for, once known. */
  userId?: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Accepts a caller's `x-request-id` when it is a short, harmless token; otherwise mints one. */
export function correlationIdFrom(requested: string | null | undefined): string {
  if (requested && /^[A-Za-z0-9._-]{8,64}$/.test(requested)) return requested;
  return flatUuid();
}

/**
 * randomUUID() as one flat string. Node builds it by concatenation, a tree of ~15 cons
 * strings (≈ 480 bytes of heap where the flat string takes 56); WebSocket connections and
 * subscriptions keep their ids for as long as they are open. toLowerCase() of the (already
 * lower-case) id copies it flat.
 */
function flatUuid(): string {
  return randomUUID().toLowerCase();
}

export function runWithCorrelationId<T>(id: string, fn: () => T): T {
  return storage.run({ correlationId: id, startedAt: performance.now() }, fn);
}

/** The current scope's id, or a fresh one outside any scope. */
export function currentCorrelationId(): string {
  return storage.getStore()?.correlationId ?? flatUuid();
}

/** The current request's scope, or undefined outside any. */
export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

/** Records the verified user of the current request (for its access log line); no-op outside a scope. */
export function noteUserId(userId: string): void {
  const scope = storage.getStore();
  if (scope) scope.userId = userId;
}
