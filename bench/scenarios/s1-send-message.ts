/**
 * S1: sendMessage (JWT → authorization → insert → publish) over HTTP, closed loop with
 * 50 clients, on SQLite and on PostgreSQL. Each client is its own user writing to its own
 * session, so the numbers are the per-request path, not one hot session row.
 */
import { graphqlOk } from '../lib/chat-load.ts';
import { graphqlRequest, startChatServer } from '../lib/chat-server.ts';
import { runClosedLoop } from '../lib/closed-loop.ts';
import { jsonPost } from '../lib/http-client.ts';
import { atLeast, below, plainRow, ratioRow, targetRow, type BenchContext, type Metrics, type Scenario } from '../lib/scenario.ts';
import { mintTokens } from '../lib/tokens.ts';

const SEND = 'mutation Send($s: ID!, $input: SendMessageInput!) { sendMessage(sessionId: $s, input: $input) { id seq timestamp } }';
const CREATE = 'mutation Create { createSession(input: { title: "bench" }) { id } }';

async function measure(ctx: BenchContext, provider: 'sqlite' | 'postgresql'): Promise<Metrics> {
  const server = await startChatServer({
    pinning: ctx.pinning,
    provider,
    cpuProfileDir: ctx.profileDir ? `${ctx.profileDir}/S1-${provider}` : undefined,
  });
  try {
    const { concurrency } = ctx.params.closedLoop;
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
    const result = await runClosedLoop({
      url: server.url,
      serverPid: server.pid,
      ...ctx.params.closedLoop,
      nextRequest: (i) => requests[i]!,
      isSuccess: graphqlOk,
    });
    if (result.errors > 0) ctx.log(`  S1 ${provider}: ${result.errors} errors, first: ${result.firstError}`);
    return {
      [`S1.${provider}.rps`]: result.rps,
      [`S1.${provider}.p50`]: result.p50,
      [`S1.${provider}.p99`]: result.p99,
      [`S1.${provider}.cpuUs`]: result.cpuPerRequestUs,
      [`S1.${provider}.errors`]: result.errors,
    };
  } finally {
    await server.stop();
  }
}

export const s1SendMessage: Scenario = {
  id: 'S1',
  title: 'S1 sendMessage over HTTP, closed loop (50 clients)',
  needs: ['B-sqlite', 'B-http'],
  async run(ctx) {
    const metrics = await measure(ctx, 'sqlite');
    if (ctx.postgres) Object.assign(metrics, await measure(ctx, 'postgresql'));
    else ctx.log('  S1 PostgreSQL skipped (unreachable or --no-postgres)');
    return metrics;
  },
  report: (m) => [
    ratioRow('SQLite req/s', m('S1.sqlite.rps'), 'req/s', 'raw message insert', m('B-sqlite.send.rps'), atLeast(0.2, '≥ 0.2× raw insert')),
    ratioRow('SQLite req/s (vs hello world)', m('S1.sqlite.rps'), 'req/s', 'node:http hello', m('B-http.rps')),
    plainRow('SQLite p50', m('S1.sqlite.p50'), 'ms'),
    targetRow('SQLite p99', m('S1.sqlite.p99'), 'ms', below(25, '< 25 ms')),
    plainRow('SQLite server CPU per request', m('S1.sqlite.cpuUs'), 'µs'),
    plainRow('SQLite errors', m('S1.sqlite.errors'), ''),
    ratioRow('PostgreSQL req/s (vs hello world)', m('S1.postgresql.rps'), 'req/s', 'node:http hello', m('B-http.rps')),
    plainRow('PostgreSQL p50', m('S1.postgresql.p50'), 'ms'),
    plainRow('PostgreSQL p99', m('S1.postgresql.p99'), 'ms'),
    plainRow('PostgreSQL server CPU per request', m('S1.postgresql.cpuUs'), 'µs'),
    plainRow('PostgreSQL errors', m('S1.postgresql.errors'), ''),
  ],
};
