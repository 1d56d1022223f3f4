/**
 * Baselines on a raw `ws` broadcast server (bench/baselines/ws-broadcast.ts) that serializes
 * each message once: fan-out at S2's subscriber counts and rate (B-ws), and RSS per idle
 * connection over S5's connection range, measured as S5 does (B-ws-idle). It runs
 * under bench/lib/gc-entry.mjs like the chat server, so its RSS is read after a forced GC too.
 */
import { closeAll, rawPublisher, subscribeAll } from '../lib/chat-load.ts';
import { assertNothingLost, FanoutReceiver, runFanout } from '../lib/fanout.ts';
import { measureIdleConnections } from '../lib/idle.ts';
import { gcWrapped, spawnNode, type SpawnedProcess } from '../lib/processes.ts';
import { plainRow, type BenchContext, type Metrics, type Scenario } from '../lib/scenario.ts';
import { connectLean, connectMany } from '../lib/ws-client.ts';

async function startRawServer(ctx: BenchContext): Promise<{ process: SpawnedProcess; url: string; wsUrl: string }> {
  const child = spawnNode(ctx.pinning, gcWrapped('bench/baselines/ws-broadcast.ts', ['--import', 'tsx']), {});
  const url = (await child.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  return { process: child, url, wsUrl: url.replace(/^http/, 'ws') };
}

async function fanoutAt(ctx: BenchContext, subscribers: number, rate: number): Promise<Metrics> {
  const server = await startRawServer(ctx);
  const publisher = rawPublisher(server.url, ['c0']);
  const receiver = new FanoutReceiver(new Array<number>(subscribers).fill(0));
  let sockets: { close(): void }[] = [];
  try {
    sockets = (await subscribeAll(server.wsUrl, new Array<string>(subscribers).fill('raw'), ['c0'], receiver)).sockets;
    const result = await runFanout(receiver, {
      channels: 1,
      send: publisher.send,
      ratePerSecond: rate,
      warmupMs: ctx.params.fanout.warmupMs,
      durationMs: ctx.params.fanout.durationMs,
      serverPids: [server.process.pid],
    });
    assertNothingLost(`raw ws, ${subscribers} subscribers`, result, receiver, publisher.firstError);
    const key = `B-ws.fanout.${subscribers}`;
    return {
      [`${key}.p50`]: result.p50,
      [`${key}.p99`]: result.p99,
      [`${key}.dps`]: result.deliveriesPerSecond,
      [`${key}.cpuUs`]: result.cpuPerDeliveryUs,
    };
  } finally {
    closeAll(sockets);
    publisher.close();
    await server.process.stop();
  }
}

async function idle(ctx: BenchContext): Promise<Metrics> {
  const server = await startRawServer(ctx);
  let sockets: { close(): void }[] = [];
  try {
    const open = (_from: number, count: number) =>
      connectMany(count, 64, async () => {
        const socket = await connectLean(server.wsUrl, 'raw', { onFrame: () => {} });
        socket.subscribe('1', 'subscription', { s: 'idle' });
        return socket;
      });
    const result = await measureIdleConnections(server.process, ctx.params.idle, open);
    sockets = result.sockets;
    return {
      'B-ws.idle.rssPerConn': result.rssPerConnection,
      'B-ws.idle.rss0': result.idleRss,
      'B-ws.idle.connectRate': result.connectRate,
    };
  } finally {
    closeAll(sockets);
    await server.process.stop();
  }
}

export const baselineWs: Scenario = {
  id: 'B-ws',
  title: 'Baseline: raw ws broadcast server (serializes once), fan-out',
  baseline: true,
  async run(ctx) {
    const metrics: Metrics = {};
    for (const size of ctx.params.fanout.sizes) {
      ctx.log(`  raw ws fan-out: ${size.subscribers} subscribers × ${size.rate} msg/s`);
      Object.assign(metrics, await fanoutAt(ctx, size.subscribers, size.rate));
    }
    return metrics;
  },
  report: (m, params) =>
    params.fanout.sizes.flatMap(({ subscribers: n }) => {
      const key = `B-ws.fanout.${n}`;
      return [
        plainRow(`${n} subs: deliveries/s`, m(`${key}.dps`), '1/s'),
        plainRow(`${n} subs: latency p50`, m(`${key}.p50`), 'ms'),
        plainRow(`${n} subs: latency p99`, m(`${key}.p99`), 'ms'),
        plainRow(`${n} subs: server CPU per delivery`, m(`${key}.cpuUs`), 'µs'),
      ];
    }),
};

/** Its own baseline, so a fan-out failure does not take S5's comparison with it. */
export const baselineWsIdle: Scenario = {
  id: 'B-ws-idle',
  title: 'Baseline: raw ws server, idle connections',
  baseline: true,
  async run(ctx) {
    ctx.log(`  raw ws idle: ${ctx.params.idle.from} → ${ctx.params.idle.to} connections`);
    return idle(ctx);
  },
  report: (m, params) => [
    plainRow(`RSS per idle connection (slope ${params.idle.from} → ${params.idle.to}, GC forced)`, m('B-ws.idle.rssPerConn') / 1024, 'KiB'),
    plainRow('RSS with no connection (after GC)', m('B-ws.idle.rss0') / 1e6, 'MB'),
    plainRow('connect rate', m('B-ws.idle.connectRate'), 'conn/s'),
  ],
};
