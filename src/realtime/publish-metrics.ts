/**
 * Real-time series measured at the seams app.ts owns, so the real-time layer needs no
 * metrics code: the services' event publisher (a new message is stored: time since the
 * send request began) and the pub/sub engine's publish (accepted: time since the same
 * start; refused: a publish failure), plus Redis reconnects.
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { ChatPubSub } from './pubsub.ts';
import type { RealtimePort } from './port.ts';
import { currentScope } from '../observability/correlation.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface PublishMetrics {
  /** The services' publisher, timing MESSAGE_CREATED events ("stored"). */
  wrap(inner: Pick<RealtimePort, 'publish'>): Pick<RealtimePort, 'publish'>;
  /** Counts the engine's refused publishes and times accepted sends ("published"); watches subscriber reconnects. */
  watch(pubsub: ChatPubSub): void;
}

const secondsSince = (start: number) => (performance.now() - start) / 1000;

export function createPublishMetrics(metrics: Metrics): PublishMetrics {
  /** Start of the send whose event is being handed to the engine right now (publishing is synchronous up to there). */
  let sendStartedAt: number | undefined;
  return {
    wrap: (inner) => ({
      publish(event) {
        if (event.type !== 'MESSAGE_CREATED') return inner.publish(event);
        const startedAt = currentScope()?.startedAt ?? performance.now();
        metrics.sendLatency('stored', secondsSince(startedAt));
        sendStartedAt = startedAt;
        try {
          inner.publish(event);
        } finally {
          sendStartedAt = undefined;
        }
      },
    }),
    watch(pubsub) {
      const { engine } = pubsub;
      const publish = engine.publish.bind(engine);
      engine.publish = (trigger, payload) => {
        const startedAt = sendStartedAt;
        return publish(trigger, payload).then(
          () => {
            if (startedAt !== undefined) metrics.sendLatency('published', secondsSince(startedAt));
          },
          (error: unknown) => {
            metrics.redisPublishFailed();
            throw error;
          },
        );
      };
      pubsub.onReconnect(() => metrics.redisReconnected('subscriber'));
    },
  };
}

/** Counts the command connection's returns to `ready` after the first. */
export function watchRedisReconnects(redis: Redis, metrics: Metrics): void {
  let readyBefore = redis.status === 'ready';
  redis.on('ready', () => {
    if (readyBefore) metrics.redisReconnected('commands');
    readyBefore = true;
  });
}
