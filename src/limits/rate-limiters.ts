/** The application's limiters, built from configuration: Redis-backed when REDIS_URL is set. */
import type { Redis } from 'ioredis';
import type { RateLimitConfig } from '../config.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createMemoryRateLimiter } from './memory-rate-limiter.ts';
import { unlimited, type RateLimiter } from './rate-limiter.ts';
import { createRedisRateLimiter } from './redis-rate-limiter.ts';

export interface RateLimiters {
  /** Message sends per user per minute (MESSAGES_PER_MINUTE). */
  messages: RateLimiter;
  /** Typing events per user per 10 seconds (TYPING_EVENTS_PER_10S), for the real-time layer. */
  typing: RateLimiter;
}

export interface RateLimitersDeps {
  config: RateLimitConfig;
  /** Shared client when REDIS_URL is set; limits are per instance without it. */
  redis?: Redis;
  logger: Logger;
  /** Counts checks that fell back to memory (default: not counted). */
  metrics?: Metrics;
}

export function createRateLimiters({ config, redis, logger, metrics }: RateLimitersDeps): RateLimiters {
  const build = (name: string, limit: number, windowMs: number): RateLimiter => {
    if (limit === 0) return unlimited(windowMs);
    const memory = createMemoryRateLimiter({ limit, windowMs });
    if (!redis) return memory;
    return createRedisRateLimiter({
      redis,
      name,
      limit,
      windowMs,
      keyPrefix: config.redisKeyPrefix,
      fallback: memory,
      logger,
      onFallback: () => metrics?.rateLimitFellBack(name),
    });
  };
  return {
    messages: build('messages', config.messagesPerMinute, 60_000),
    typing: build('typing', config.typingEventsPer10s, 10_000),
  };
}
