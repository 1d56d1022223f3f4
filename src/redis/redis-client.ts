/**
 * The application's Redis command connection (rate limits, readiness; pub/sub needs
 * connections of its own). Commands fail fast instead of queueing while Redis is away,
 * so callers can fall back rather than hang; the client keeps reconnecting.
 */
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';

export interface RedisClientOptions {
  /** A command without an answer after this many milliseconds fails. */
  commandTimeoutMs: number;
  logger: Logger;
}

/** ioredis is loaded only when REDIS_URL is set (it is CommonJS, so synchronously). */
const loadRedis = () => (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;

export function createRedisClient(url: string, { commandTimeoutMs, logger }: RedisClientOptions): Redis {
  const Redis = loadRedis();
  const client = new Redis(url, {
    commandTimeout: commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
  });
  // One warning per outage, not one per reconnect attempt.
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn('Redis connection failed; retrying in the background', { error: error.message });
  });
  client.on('ready', () => {
    if (down) logger.info('Redis connection restored');
    down = false;
  });
  return client;
}

/** Resolves true once the client is ready, false after `timeoutMs` (startup goes on either way). */
export function waitForRedis(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.once('ready', onReady);
  });
}

/** Closes politely when connected, at once otherwise. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
    return;
  }
  client.disconnect();
}
