/**
 * S2b: many sessions at once — sessions × members subscribers (every member subscribed to
 * messageReceived of their session on their own socket), messages sent round-robin over
 * the sessions by each session's owner at a fixed total rate.
 */
import { chatSender, closeAll, subscribeAll } from '../lib/chat-load.ts';
import { startChatServer, UNLIMITED } from '../lib/chat-server.ts';
import { assertNothingLost, FanoutReceiver, runFanout } from '../lib/fanout.ts';
import { plainRow, type Scenario } from '../lib/scenario.ts';
import { sessionGrid } from '../lib/session-grid.ts';
import { mintTokens } from '../lib/tokens.ts';

export const s2bManySessions: Scenario = {
  id: 'S2b',
  title: 'S2b many sessions: fan-out across sessions over graphql-ws',
  async run(ctx) {
    const { sessions, members, rate, warmupMs, durationMs } = ctx.params.manySessions;
    const grid = sessionGrid('s2b', sessions, members);
    // Owners send about rate / sessions a second each, plus the probes: no send rate limit.
    const server = await startChatServer({ pinning: ctx.pinning, seed: grid.seed, limits: { ...UNLIMITED, CONNECTIONS_PER_USER: 5 } });
    const tokens = await mintTokens(grid.users);
    // Each session's owner (its first member) sends to it.
    const sender = chatSender(
      server.graphqlUrl,
      grid.sessionIds,
      grid.sessionIds.map((_, c) => tokens[c * members]!),
    );
    const receiver = new FanoutReceiver(grid.sessionOfUser);
    let sockets: { close(): void }[] = [];
    try {
      ctx.log(`  S2b: ${sessions} sessions × ${members} members, ${rate} msg/s`);
      sockets = (await subscribeAll(server.wsUrl, tokens, grid.sessionIds, receiver)).sockets;
      const result = await runFanout(receiver, {
        channels: sessions,
        send: sender.send,
        ratePerSecond: rate,
        warmupMs,
        durationMs,
        serverPids: [server.pid],
      });
      assertNothingLost(`${sessions} sessions × ${members}`, result, receiver, sender.firstError);
      return {
        'S2b.p50': result.p50,
        'S2b.p99': result.p99,
        'S2b.dps': result.deliveriesPerSecond,
        'S2b.cpuUs': result.cpuPerDeliveryUs,
        'S2b.cpuShare': result.serverCpuShare,
      };
    } finally {
      closeAll(sockets);
      sender.close();
      await server.stop();
    }
  },
  report: (m, params) => {
    const { sessions, members, rate } = params.manySessions;
    const label = `${sessions} sessions × ${members}, ${rate} msg/s`;
    return [
      plainRow(`${label}: deliveries/s`, m('S2b.dps'), '1/s'),
      plainRow(`${label}: latency p50`, m('S2b.p50'), 'ms'),
      plainRow(`${label}: latency p99`, m('S2b.p99'), 'ms'),
      plainRow(`${label}: server CPU per delivery`, m('S2b.cpuUs'), 'µs'),
      plainRow(`${label}: server CPU share`, m('S2b.cpuShare') * 100, '% core'),
    ];
  },
};
