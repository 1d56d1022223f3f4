/**
 * S1: sendMessage (JWT → authorization → insert → publish) over HTTP, closed loop with
 * 50 clients, on SQLite and on PostgreSQL, at steady state (warm-up until the server's CPU
 * per request stops moving). Each client is its own user writing to its own session, so the
 * numbers are the per-request path, not one hot session row. Compared, by server CPU per
 * send, with the raw driver's send transaction and with node:http's hello world.
 */
import { join } from 'node:path';
import { graphqlOk } from '../lib/chat-load.ts';
import { graphqlRequest, startChatServer, UNLIMITED } from '../lib/chat-server.ts';
import { runClosedLoop } from '../lib/closed-loop.ts';
import { jsonPost } from '../lib/http-client.ts';
import { summarizeProfile } from '../lib/profile-summary.ts';
import {
  atMost,
  plainRow,
  ratioRow,
  ScenarioFailure,
  type BenchContext,
  type Metrics,
  type ReportRow,
  type Scenario,
} from '../lib/scenario.ts';
import { mintTokens } from '../lib/tokens.ts';
import { profileWindow } from '../lib/profile-window.ts';

const SEND = 'mutation Send($s: ID!, $input: SendMessageInput!) { sendMessage(sessionId: $s, input: $input) { id seq timestamp } }';
const CREATE = 'mutation Create { createSession(input: { title: "bench" }) { id } }';

type Provider = 'sqlite' | 'postgresql';

async function measure(ctx: BenchContext, provider: Provider): Promise<Metrics> {
  const server = await startChatServer({
    pinning: ctx.pinning,
    provider,
    // Each client sends hundreds a minute into its own session for up to a minute: no rate
    // limit, no session cap; one connection per user.
    limits: { ...UNLIMITED, CONNECTIONS_PER_USER: 5 },
  });
  try {
    const { concurrency, warmup, durationMs } = ctx.params.closedLoop;
    const users = Array.from({ length: concurrency }, (_, i) => `s1-user-${i}`);
    const tokens = await mintTokens(users);
    const sessions: string[] = [];
    for (const token of tokens) {
      sessions.push((await graphqlRequest<{ createSession: { id: string } }>(server.graphqlUrl, token, CREATE)).createSession.id);
    }
    const host = new URL(server.url).host;
    const requests = tokens.map((token, i) =>
      jsonPost(
        host,
        '/graphql',
        JSON.stringify({
          query: SEND,
          variables: { s: sessions[i], input: { content: 'hello from the benchmark', metadata: { bench: true } } },
        }),
        { Authorization: `Bearer ${token}` },
      ),
    );
    // The profile is taken once (first repeat), after the measured window, so it never slows it.
    const profileFile = ctx.profileDir && ctx.repeat === 1 ? join(ctx.profileDir, `S1-${provider}.cpuprofile`) : null;
    const result = await runClosedLoop({
      url: server.url,
      serverPid: server.pid,
      concurrency,
      warmup,
      durationMs,
      nextRequest: (i) => requests[i]!,
      isSuccess: graphqlOk,
      afterWindow: profileWindow(server, profileFile, ctx.params.profileMs),
    });
    if (result.errors > 0)
      throw new ScenarioFailure(`${provider}: ${result.errors} sends failed or were refused, first: ${result.firstError}`);
    const series = result.warmupSeries.map((v) => Math.round(v)).join(', ');
    if (!result.warmupStable) {
      ctx.note(
        `S1 ${provider} (repeat ${ctx.repeat}): CPU per send had not settled after the ${Math.round(result.warmupMs / 1000)} s warm-up cap (µs per window: ${series})`,
      );
    }
    ctx.log(
      `  S1 ${provider}: warm-up ${(result.warmupMs / 1000).toFixed(1)} s (${result.warmupStable ? 'settled' : 'cap'}): ${series} µs`,
    );
    if (profileFile) {
      const label = provider === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      ctx.addProfile(
        summarizeProfile(
          profileFile,
          `S1 sendMessage, ${label}, steady state (${ctx.params.profileMs / 1000} s after the window)`,
          result.servedAfter,
        ),
      );
    }
    return {
      [`S1.${provider}.rps`]: result.rps,
      [`S1.${provider}.p50`]: result.p50,
      [`S1.${provider}.p99`]: result.p99,
      [`S1.${provider}.cpuUs`]: result.cpuPerRequestUs,
      [`S1.${provider}.warmupS`]: result.warmupMs / 1000,
    };
  } finally {
    await server.stop();
  }
}

function rowsFor(m: (key: string) => number, provider: Provider): ReportRow[] {
  const k = (metric: string) => m(`S1.${provider}.${metric}`);
  const label = provider === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const raw =
    provider === 'sqlite'
      ? ratioRow(
          `${label}: server CPU per send`,
          k('cpuUs'),
          'µs',
          'raw better-sqlite3 send txn',
          m('B-sqlite.send.cpuUs'),
          atMost(12, '≤ 12× raw driver'),
        )
      : ratioRow(
          `${label}: server CPU per send`,
          k('cpuUs'),
          'µs',
          'raw pg send txn',
          m('B-pg.send.cpuUs'),
          atMost(15, '≤ 15× raw driver'),
        );
  return [
    raw,
    ratioRow(
      `${label}: server CPU per send (vs hello world)`,
      k('cpuUs'),
      'µs',
      'node:http hello',
      m('B-http.cpuUs'),
      atMost(25, '≤ 25× hello'),
    ),
    ratioRow(`${label}: latency p99`, k('p99'), 'ms', 'p50', k('p50'), atMost(4, '≤ 4× p50')),
    plainRow(`${label}: requests/s`, k('rps'), 'req/s'),
    plainRow(`${label}: latency p50`, k('p50'), 'ms'),
    plainRow(`${label}: warm-up`, k('warmupS'), 's'),
  ];
}

export const s1SendMessage: Scenario = {
  id: 'S1',
  title: 'S1 sendMessage over HTTP, closed loop (50 clients), steady state',
  needs: ['B-sqlite', 'B-pg', 'B-http'],
  async run(ctx) {
    const metrics = await measure(ctx, 'sqlite');
    if (ctx.postgres) Object.assign(metrics, await measure(ctx, 'postgresql'));
    else ctx.log('  S1 PostgreSQL skipped (unreachable or --no-postgres)');
    return metrics;
  },
  report: (m) => [...rowsFor(m, 'sqlite'), ...rowsFor(m, 'postgresql')],
};
