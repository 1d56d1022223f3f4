/**
 * S2: fan-out in one session. N subscribers (each its own user, a participant, on its own
 * socket) on messageReceived; the session owner sends through the real mutation at a
 * fixed rate. Compared with the raw ws broadcast at the same N and rate.
 */
import { chatSender, closeAll, subscribeAll } from '../lib/chat-load.ts';
import { startChatServer } from '../lib/chat-server.ts';
import { FanoutReceiver, runFanout } from '../lib/fanout.ts';
import {
  atMost,
  exactly,
  plainRow,
  ratioRow,
  targetRow,
  type BenchContext,
  type Metrics,
  type ReportRow,
  type Scenario,
} from '../lib/scenario.ts';
import { mintToken, mintTokens } from '../lib/tokens.ts';

const SESSION = 'fanout-session';

async function fanoutAt(ctx: BenchContext, subscribers: number, rate: number): Promise<Metrics> {
  const users = Array.from({ length: subscribers }, (_, i) => `s2-user-${i}`);
  const server = await startChatServer({
    pinning: ctx.pinning,
    seed: [{ id: SESSION, ownerId: 's2-owner', participantIds: users }],
    cpuProfileDir: ctx.profileDir ? `${ctx.profileDir}/S2-${subscribers}` : undefined,
  });
  const sender = chatSender(server.graphqlUrl, [SESSION], [await mintToken('s2-owner')]);
  const receiver = new FanoutReceiver(new Array<number>(subscribers).fill(0));
  let sockets: { close(): void }[] = [];
  try {
    const tokens = await mintTokens(users);
    sockets = (await subscribeAll(server.wsUrl, tokens, [SESSION], receiver)).sockets;
    const result = await runFanout(receiver, {
      channels: 1,
      send: sender.send,
      ratePerSecond: rate,
      warmupMs: ctx.params.fanout.warmupMs,
      durationMs: ctx.params.fanout.durationMs,
      serverPids: [server.pid],
    });
    if (result.sendErrors > 0 || result.lost > 0 || receiver.errorFrames > 0) {
      ctx.log(`  S2 ${subscribers}: ${result.sendErrors} send errors, ${result.lost} lost, ${receiver.errorFrames} error frames`);
    }
    const key = `S2.${subscribers}`;
    return {
      [`${key}.p50`]: result.p50,
      [`${key}.p99`]: result.p99,
      [`${key}.dps`]: result.deliveriesPerSecond,
      [`${key}.cpuUs`]: result.cpuPerDeliveryUs,
      [`${key}.cpuShare`]: result.serverCpuShare,
      [`${key}.lost`]: result.lost + result.sendErrors * subscribers,
      [`${key}.duplicates`]: result.duplicates,
    };
  } finally {
    closeAll(sockets);
    sender.close();
    await server.stop();
  }
}

export const s2Fanout: Scenario = {
  id: 'S2',
  title: 'S2 fan-out in one session over graphql-ws',
  needs: ['B-ws'],
  async run(ctx) {
    const metrics: Metrics = {};
    for (const size of ctx.params.fanout.sizes) {
      ctx.log(`  S2: ${size.subscribers} subscribers × ${size.rate} msg/s`);
      Object.assign(metrics, await fanoutAt(ctx, size.subscribers, size.rate));
    }
    return metrics;
  },
  report: (m, params) => {
    const rows: ReportRow[] = [];
    for (const { subscribers: n, rate } of params.fanout.sizes) {
      const key = `S2.${n}`;
      const raw = `B-ws.fanout.${n}`;
      const label = `${n} subs × ${rate}/s`;
      rows.push(
        ratioRow(`${label}: deliveries/s`, m(`${key}.dps`), '1/s', 'raw ws', m(`${raw}.dps`)),
        ratioRow(`${label}: latency p50`, m(`${key}.p50`), 'ms', 'raw ws', m(`${raw}.p50`)),
        ratioRow(
          `${label}: latency p99`,
          m(`${key}.p99`),
          'ms',
          'raw ws',
          m(`${raw}.p99`),
          n === 1000 ? atMost(1.5, '≤ 1.5× raw ws') : undefined,
        ),
        ratioRow(`${label}: server CPU per delivery`, m(`${key}.cpuUs`), 'µs', 'raw ws', m(`${raw}.cpuUs`), atMost(1.5, '≤ 1.5× raw ws')),
        plainRow(`${label}: server CPU share`, m(`${key}.cpuShare`) * 100, '% core'),
        targetRow(`${label}: lost deliveries`, m(`${key}.lost`), '', exactly(0, '0')),
        targetRow(`${label}: duplicates`, m(`${key}.duplicates`), '', exactly(0, '0')),
      );
    }
    return rows;
  },
};
