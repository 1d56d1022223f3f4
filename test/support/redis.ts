/**
 * Redis for tests: the local server (TEST_REDIS_URL, default redis://127.0.0.1:6379).
 * Suites that need it skip when it is unreachable, except with CI=true, where an
 * unreachable Redis fails the run instead.
 */
import { Redis } from 'ioredis';

export const redisTestUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Redis answers; throws under CI=true when it does not. */
export async function redisAvailable(): Promise<boolean> {
  const client = new Redis(redisTestUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`Redis tests need ${redisTestUrl} under CI=true: ${String(error)}`);
    return false;
  } finally {
    client.disconnect();
  }
}

/** A key prefix no other test uses. */
export function uniqueRedisPrefix(): string {
  return `chat-test:${process.pid}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const client = new Redis(redisTestUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
