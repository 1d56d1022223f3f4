/**
 * Counting actions per key in a rolling window ("at most `limit` in any `windowMs`").
 * Implementations: in memory (one instance) and Redis (shared by every instance).
 */

export interface RateLimitDecision {
  /** True when the action is within the limit (and was counted). */
  allowed: boolean;
  /** Actions still allowed in the current window after this one. */
  remaining: number;
  /** When not allowed: milliseconds until the oldest counted action leaves the window. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /** Most actions per key in any window. */
  readonly limit: number;
  readonly windowMs: number;
  /** Counts one action for `key` if it is within the limit; a refused action is not counted. */
  consume(key: string): Promise<RateLimitDecision>;
}

/** A limiter that allows everything (a limit configured as 0). */
export function unlimited(windowMs: number): RateLimiter {
  return {
    limit: Number.POSITIVE_INFINITY,
    windowMs,
    consume: async () => ({ allowed: true, remaining: Number.POSITIVE_INFINITY, retryAfterMs: 0 }),
  };
}

/** Whole seconds a client should wait, at least 1. */
export function retryAfterSeconds(decision: RateLimitDecision): number {
  return Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
}
