/**
 * The transport between instances: graphql-subscriptions' in-memory PubSub, or
 * graphql-redis-subscriptions over ioredis when REDIS_URL is set. Payloads are strings
 * (see events.ts) so both behave the same.
 */
import { createRequire } from 'node:module';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import type { Logger } from '../observability/logger.ts';

export interface ChatPubSub {
  engine: PubSubEngine;
  /** Which transport carries the events (names the publish span). */
  system: 'memory' | 'redis';
  /** Called after the Redis subscriber connection comes back (missed events must be fetched). */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

export function createMemoryPubSub(): ChatPubSub {
  return { engine: new PubSub(), system: 'memory', onReconnect: () => {}, close: async () => {} };
}

/** Reconnects forever with capped backoff; never throws into the caller. */
const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2000);

/** Loaded only when REDIS_URL is set (both are CommonJS, so synchronously): a server without Redis never pays for them. */
const require = createRequire(import.meta.url);
const loadRedis = () => (require('ioredis') as typeof import('ioredis')).Redis;
const loadRedisPubSub = () => (require('graphql-redis-subscriptions') as typeof import('graphql-redis-subscriptions')).RedisPubSub;

export function createRedisPubSub(url: string, logger: Logger): ChatPubSub {
  const Redis = loadRedis();
  const RedisPubSub = loadRedisPubSub();
  // The publisher drops commands while disconnected instead of queueing them without
  // bound: a lost publish is recovered from the database (seq gap fill / `after` replay).
  const publisher = new Redis(url, { retryStrategy, enableOfflineQueue: false, enableAutoPipelining: true, lazyConnect: false });
  // No CLIENT SETINFO on the subscriber: ioredis 5.8+ writes a SUBSCRIBE made while the
  // socket is still connecting ahead of that handshake, the handshake then fails in
  // subscriber mode and the subscription is silently lost (redis/ioredis#2037).
  const subscriber = new Redis(url, { retryStrategy, maxRetriesPerRequest: null, disableClientInfo: true });
  const reconnectListeners: (() => void)[] = [];
  let connectedBefore = false;
  subscriber.on('ready', () => {
    if (connectedBefore) {
      logger.info('redis subscriber reconnected');
      for (const listener of reconnectListeners) listener();
    }
    connectedBefore = true;
  });
  for (const client of [publisher, subscriber]) {
    client.on('error', (error: Error) => logger.warn('redis error', { error: error.message }));
  }
  const engine = new RedisPubSub({
    publisher,
    subscriber,
    serializer: (payload: unknown) => String(payload),
    deserializer: (raw: string | Buffer) => raw.toString(),
  });
  return {
    engine,
    system: 'redis',
    onReconnect: (listener) => reconnectListeners.push(listener),
    close: async () => {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
