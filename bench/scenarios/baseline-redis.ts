/** Baseline: ioredis publish → subscribe round trip on the local Redis (in the load generator). */
import { Redis } from 'ioredis';
import { LatencyRecorder } from '../lib/stats.ts';
import { plainRow, type Scenario } from '../lib/scenario.ts';

export const baselineRedis: Scenario = {
  id: 'B-redis',
  title: 'Baseline: ioredis publish → subscribe round trip',
  baseline: true,
  async run(ctx) {
    const channel = `bench:${process.pid}:${Date.now().toString(36)}:rtt`;
    const publisher = new Redis(ctx.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    const subscriber = new Redis(ctx.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
      await subscriber.subscribe(channel);
      const latencies = new LatencyRecorder();
      let resolveNext: (() => void) | null = null;
      subscriber.on('message', () => resolveNext?.());
      const total = ctx.params.redis.roundTrips;
      const warmup = Math.ceil(total / 5);
      for (let i = 0; i < total + warmup; i++) {
        const received = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no message within 5 s')), 5000);
          resolveNext = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        const start = performance.now();
        await publisher.publish(channel, String(i));
        await received;
        if (i >= warmup) latencies.record(performance.now() - start);
      }
      const { p50, p99 } = latencies.summary();
      return { 'B-redis.p50': p50, 'B-redis.p99': p99 };
    } finally {
      publisher.disconnect();
      subscriber.disconnect();
    }
  },
  report: (m) => [plainRow('round trip p50', m('B-redis.p50'), 'ms'), plainRow('round trip p99', m('B-redis.p99'), 'ms')],
};
