/** Builds the real-time layer: pubsub (memory or Redis), the session hub, presence and typing. */
import type { Redis } from 'ioredis';
import type { RealtimeConfig } from '../config.ts';
import type { Logger } from '../observability/logger.ts';
import type { ChatEventPublisher } from '../services/chat-events.ts';
import { randomUUID } from 'node:crypto';
import { createMemoryPresence, createRedisPresence, type PresenceRegistry } from './presence.ts';
import { createMemoryPubSub, createRedisPubSub, type ChatPubSub } from './pubsub.ts';
import { SessionHub, type SequenceSource } from './session-hub.ts';
import type { StreamDeps } from './session-streams.ts';
import { TypingTracker } from './typing.ts';

export interface Realtime {
  hub: SessionHub;
  presence: PresenceRegistry;
  typing: TypingTracker;
  streams: StreamDeps;
  pubsub: ChatPubSub;
  close(): Promise<void>;
}

export interface RealtimeDeps {
  config: RealtimeConfig;
  redisUrl?: string;
  /** The application's Redis command connection (presence), when Redis is configured. */
  redis?: Redis;
  logger: Logger;
  /** Database reads for gap fills (the message service's, without authorization). */
  sequences: SequenceSource;
}

export function createRealtime({ config, redisUrl, redis, logger, sequences }: RealtimeDeps): Realtime {
  const pubsub = redisUrl ? createRedisPubSub(redisUrl, logger) : createMemoryPubSub();
  const hub = new SessionHub(pubsub, sequences, logger, `${config.redisPrefix}session:`);
  const presence = redis
    ? createRedisPresence({ redis, prefix: config.redisPrefix, instanceId: randomUUID(), logger })
    : createMemoryPresence();
  const typing = new TypingTracker((event) => hub.publish(event), {
    throttleMs: config.typingThrottleMs,
    timeoutMs: config.typingTimeoutMs,
  });
  return {
    hub,
    presence,
    typing,
    pubsub,
    streams: { hub, presence, maxQueuedEvents: config.maxQueuedEvents },
    async close() {
      typing.close();
      await presence.close();
      await pubsub.close();
    },
  };
}

/** The services' publisher, backed by the hub. */
export function hubPublisher(realtime: () => Realtime): ChatEventPublisher {
  return { publish: (event) => realtime().hub.publish(event) };
}
