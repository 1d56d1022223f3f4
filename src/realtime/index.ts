/** Builds the real-time layer: pubsub (memory or Redis), the session hub, presence and typing indicators. */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RealtimeConfig } from '../config.ts';
import type { Logger } from '../observability/logger.ts';
import type { RealtimePort } from './port.ts';
import { createMemoryPresence, createRedisPresence, type PresenceRegistry } from './presence.ts';
import { createMemoryPubSub, createRedisPubSub, type ChatPubSub } from './pubsub.ts';
import { SessionHub, type HistorySource } from './session-hub.ts';
import { openSessionStream } from './session-stream.ts';
import { TypingIndicators } from './typing.ts';

/** The port the services use, plus what the app (shutdown) and leak checks look at. */
export interface Realtime extends RealtimePort {
  hub: SessionHub;
  presence: PresenceRegistry;
  typing: TypingIndicators;
  pubsub: ChatPubSub;
  close(): Promise<void>;
}

export interface RealtimeDeps {
  config: RealtimeConfig;
  redisUrl?: string;
  /** The application's Redis command connection (presence), when Redis is configured. */
  redis?: Redis;
  logger: Logger;
  /** Database reads for gap fills: a repository, never a service. */
  history: HistorySource;
}

export function createRealtime({ config, redisUrl, redis, logger, history }: RealtimeDeps): Realtime {
  const pubsub = redisUrl ? createRedisPubSub(redisUrl, logger) : createMemoryPubSub();
  const hub = new SessionHub(pubsub, history, logger, `${config.redisPrefix}session:`);
  const presence = redis
    ? createRedisPresence({ redis, prefix: config.redisPrefix, instanceId: randomUUID(), logger })
    : createMemoryPresence();
  const typing = new TypingIndicators((event) => hub.publish(event));
  const streams = { hub, presence, maxQueuedEvents: config.maxQueuedEvents };
  return {
    hub,
    presence,
    typing,
    pubsub,
    publish: (event) => hub.publish(event),
    openSessionStream: (options) => openSessionStream(streams, options),
    connectedUsers: (sessionId) => presence.connectedUsers(sessionId),
    async close() {
      typing.close();
      await presence.close();
      await pubsub.close();
    },
  };
}
