import { once } from 'node:events';
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { createRedisPubSub, type ChatPubSub } from '../../src/realtime/pubsub.ts';
import { redisTestsEnabled, redisUrl, uniquePrefix } from '../support/redis.ts';

const enabled = await redisTestsEnabled();

describe.runIf(enabled)('Redis pub/sub transport', () => {
  const opened: ChatPubSub[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((pubsub) => pubsub.close()));
  });

  // ioredis 5.8+ writes SUBSCRIBE as soon as the socket connects, racing its own handshake
  // (CLIENT SETINFO, INFO); a subscription made in that window was silently lost (ioredis#2037).
  it('delivers to a subscription made while the subscriber connection is still handshaking', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const pubsub = createRedisPubSub(redisUrl, createLogger('silent'));
      opened.push(pubsub);
      const subscriber = (pubsub.engine as RedisPubSub).getSubscriber();
      await once(subscriber, 'connect');
      const channel = `${uniquePrefix()}handshake`;
      const received = new Promise<string>((resolve) => void pubsub.engine.subscribe(channel, resolve, {}));
      const publisher = new Redis(redisUrl);
      try {
        let message: string | undefined;
        for (let i = 0; i < 40 && message === undefined; i++) {
          await publisher.publish(channel, `hello ${attempt}`);
          // Probe: re-publish every 50 ms until the subscription answers (at most 2 s), since
          // the subscription gives no signal of being in place.
          message = await Promise.race([received, new Promise<undefined>((r) => setTimeout(r, 50))]);
        }
        expect(message).toBe(`hello ${attempt}`);
      } finally {
        publisher.disconnect();
      }
    }
  });
});
