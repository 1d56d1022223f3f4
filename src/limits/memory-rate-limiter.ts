/** Rolling-window limiter kept in this process: exact for one instance, per instance for several. */
import type { RateLimitDecision, RateLimiter } from './rate-limiter.ts';

export interface MemoryRateLimiterOptions {
  limit: number;
  windowMs: number;
  /** Clock in milliseconds (default Date.now); tests pass a fake one. */
  now?: () => number;
}

export function createMemoryRateLimiter({ limit, windowMs, now = Date.now }: MemoryRateLimiterOptions): RateLimiter {
  /** Timestamps of the counted actions per key, oldest first. */
  const hits = new Map<string, number[]>();
  let lastSweep = now();

  // Forget keys whose actions all left the window, at most once per window, so
  // memory stays proportional to the keys active in the last window.
  function sweep(at: number): void {
    if (at - lastSweep < windowMs) return;
    lastSweep = at;
    for (const [key, times] of hits) {
      if ((times.at(-1) ?? 0) <= at - windowMs) hits.delete(key);
    }
  }

  return {
    limit,
    windowMs,
    async consume(key: string): Promise<RateLimitDecision> {
      const at = now();
      sweep(at);
      const times = (hits.get(key) ?? []).filter((time) => time > at - windowMs);
      hits.set(key, times);
      const oldest = times[0];
      if (times.length >= limit && oldest !== undefined) {
        return { allowed: false, remaining: 0, retryAfterMs: oldest + windowMs - at };
      }
      times.push(at);
      return { allowed: true, remaining: limit - times.length, retryAfterMs: 0 };
    },
  };
}
