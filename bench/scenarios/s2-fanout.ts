/**
 * S2: fan-out in one session. N subscribers (each its own user, a participant, on its own
 * socket) on messageReceived; the session owner sends through the real mutation at a
 * fixed rate. Compared with the raw ws broadcast at the same N and rate. A refused send,
 * a lost or duplicated delivery fails the scenario.
 */
import { join } from 'node:path';
import { chatSender, closeAll, subscribeAll } from '../lib/chat-load.ts';
import { startChatServer, UNLIMITED } from '../lib/chat-server.ts';
import { assertNothingLost, FanoutReceiver, runFanout } from '../lib/fanout.ts';
import { atMost, plainRow, ratioRow, type BenchContext, type Metrics, type ReportRow, type Scenario } from '../lib/scenario.ts';
import { summarizeProfile } from '../lib/profile-summary.ts';
import { mintToken, mintTokens } from '../lib/tokens.ts';
import { profileWindow } from '../lib/profile-window.ts';

const SESSION = 'fanout-session';

async function fanoutAt(ctx: BenchContext, subscribers: number, rate: number): Promise<Metrics> {
  const users = Array.from({ length: subscribers }, (_, i) => `s2-user-${i}`);
  const server = await startChatServer({
    pinning: ctx.pinning,
    seed: [{ id: SESSION, ownerId: 's2-owner', participantIds: users }],
    // The owner sends `rate` a second (600 a minute at 10/s): no send rate limit; one socket per user.
    limits: { ...UNLIMITED, CONNECTIONS_PER_USER: 5 },
  });
  const sender = chatSender(server.graphqlUrl, [SESSION], [await mintToken('s2-owner')]);
  const receiver = new FanoutReceiver(new Array<number>(subscribers).fill(0));
  let sockets: { close(): void }[] = [];
  try {
    const tokens = await mintTokens(users);
    sockets = (await subscribeAll(server.wsUrl, tokens, [SESSION], receiver)).sockets;
    // `--profile`: once (first repeat), after the measured window, so it never slows it.
    const profileFile = ctx.profileDir && ctx.repeat === 1 ? join(ctx.profileDir, `S2-${subscribers}.cpuprofile`) : null;
    const result = await runFanout(receiver, {
      channels: 1,
      send: sender.send,
      ratePerSecond: rate,
      warmupMs: ctx.params.fanout.warmupMs,
      durationMs: ctx.params.fanout.durationMs,
      serverPids: [server.pid],
      afterWindow: profileWindow(server, profileFile, ctx.params.profileMs),
    });
    assertNothingLost(`${subscribers} subscribers`, result, receiver, sender.firstError);
    if (profileFile) {
      const title = `S2 fan-out, ${subscribers} subscribers × ${rate}/s, steady state (${ctx.params.profileMs / 1000} s after the window)`;
      ctx.addProfile(summarizeProfile(profileFile, title, result.deliveredAfter));
    }
    const key = `S2.${subscribers}`;
    return {
      [`${key}.p50`]: result.p50,
      [`${key}.p99`]: result.p99,
      [`${key}.dps`]: result.deliveriesPerSecond,
      [`${key}.cpuUs`]: result.cpuPerDeliveryUs,
      [`${key}.cpuShare`]: result.serverCpuShare,
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
        ratioRow(`${label}: server CPU per delivery`, m(`${key}.cpuUs`), 'µs', 'raw ws', m(`${raw}.cpuUs`), atMost(1.5, '≤ 1.5× raw ws')),
        ratioRow(`${label}: latency p99`, m(`${key}.p99`), 'ms', 'raw ws', m(`${raw}.p99`), atMost(2, '≤ 2× raw ws')),
        ratioRow(`${label}: latency p50`, m(`${key}.p50`), 'ms', 'raw ws', m(`${raw}.p50`)),
        ratioRow(`${label}: deliveries/s`, m(`${key}.dps`), '1/s', 'raw ws', m(`${raw}.dps`)),
        plainRow(`${label}: server CPU share`, m(`${key}.cpuShare`) * 100, '% core'),
      );
    }
    return rows;
  },
};
