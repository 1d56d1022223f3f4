/**
 * Rolling-window limiter shared by every instance through Redis: one sorted set per key
 * holds the timestamps of counted actions, trimmed and counted by one atomic Lua script
 * that reads Redis' own clock (instances' clocks may disagree).
 *
 * When Redis cannot answer (down, or slower than the client's command timeout), the
 * check falls back to a per-instance memory limiter and logs a warning: chat keeps
 * working, and abuse stays bounded per instance until Redis is back.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import type { RateLimitDecision, RateLimiter } from './rate-limiter.ts';

/** KEYS[1] the key; ARGV: window ms, limit, unique member. Returns {allowed, remaining, retryAfterMs}. */
const SLIDING_WINDOW_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, 0, tonumber(oldest[2]) + window - now}
`;

const COMMAND = 'chatSlidingWindow';
/** At most one "Redis unavailable" warning per limiter in this interval. */
const WARNING_INTERVAL_MS = 30_000;

type ScriptedRedis = Redis & {
  [COMMAND](key: string, windowMs: number, limit: number, member: string): Promise<[number, number, number]>;
};

export interface RedisRateLimiterOptions {
  redis: Redis;
  /** Names the limited action in keys and logs (`messages`, `typing`). */
  name: string;
  limit: number;
  windowMs: number;
  /** Keys are `${keyPrefix}${name}:${key}`. */
  keyPrefix: string;
  /** Answers while Redis cannot (normally a memory limiter with the same limit). */
  fallback: RateLimiter;
  logger: Logger;
  /** Called each time a check is answered by `fallback` (metrics). */
  onFallback?: () => void;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { redis, name, limit, windowMs, keyPrefix, fallback, logger } = options;
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: SLIDING_WINDOW_SCRIPT });
  const scripted = redis as ScriptedRedis;
  let lastWarning = 0;

  return {
    limit,
    windowMs,
    async consume(key: string): Promise<RateLimitDecision> {
      try {
        const [allowed, remaining, retryAfterMs] = await scripted[COMMAND](`${keyPrefix}${name}:${key}`, windowMs, limit, randomUUID());
        return { allowed: allowed === 1, remaining, retryAfterMs };
      } catch (error) {
        options.onFallback?.();
        if (Date.now() - lastWarning > WARNING_INTERVAL_MS) {
          lastWarning = Date.now();
          logger.warn('rate limit falls back to this instance: Redis did not answer', { limiter: name, error: String(error) });
        }
        return fallback.consume(key);
      }
    },
  };
}
