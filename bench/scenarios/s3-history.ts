/**
 * S3: history — the newest page, `session(id) { messages(last: 50) }` (the Relay connection on
 * ChatSession), of a session holding `history.messages` stored messages (seeded with raw SQL
 * straight into the migrated SQLite file before the server starts), closed loop with 50
 * clients at steady state; against the same read through better-sqlite3
 * (`SELECT … ORDER BY seq DESC LIMIT 50`).
 */
import { join } from 'node:path';
import { graphqlOk } from '../lib/chat-load.ts';
import { graphqlRequest, startChatServer, UNLIMITED } from '../lib/chat-server.ts';
import { runClosedLoop } from '../lib/closed-loop.ts';
import { jsonPost } from '../lib/http-client.ts';
import { summarizeProfile } from '../lib/profile-summary.ts';
import { atLeast, plainRow, ratioRow, ScenarioFailure, type Scenario } from '../lib/scenario.ts';
import { mintTokens } from '../lib/tokens.ts';
import { profileWindow } from '../lib/profile-window.ts';

const SESSION = 'history-session';
const PAGE =
  'query Page($id: ID!) { session(id: $id) { messages(last: 50) { ' +
  'edges { cursor node { id seq role content timestamp authorId } } pageInfo { hasPreviousPage startCursor } } } }';

interface PageData {
  session: { messages: { edges: { node: { seq: number } }[] } };
}

export const s3History: Scenario = {
  id: 'S3',
  title: 'S3 history: ChatSession.messages(last: 50) of a long session (closed loop)',
  needs: ['B-sqlite'],
  async run(ctx) {
    const total = ctx.params.history.messages;
    const { concurrency, durationMs } = ctx.params.closedLoop;
    const users = Array.from({ length: concurrency }, (_, i) => `s3-user-${i}`);
    const server = await startChatServer({
      pinning: ctx.pinning,
      seed: [{ id: SESSION, ownerId: users[0]!, participantIds: users, messages: total }],
      // Reads only; the cap must still admit the seeded history.
      limits: { ...UNLIMITED, CONNECTIONS_PER_USER: 5 },
    });
    try {
      const tokens = await mintTokens(users);
      const check = await graphqlRequest<PageData>(server.graphqlUrl, tokens[0]!, PAGE, { id: SESSION });
      const seqs = check.session.messages.edges.map((e) => e.node.seq);
      const expected = Math.min(50, total);
      if (seqs.length !== expected || seqs.at(-1) !== total || seqs[0] !== total - expected + 1) {
        throw new Error(`unexpected newest page: ${seqs[0]}…${seqs.at(-1)} (${seqs.length} messages)`);
      }
      const host = new URL(server.url).host;
      const requests = tokens.map((token) =>
        jsonPost(host, '/graphql', JSON.stringify({ query: PAGE, variables: { id: SESSION } }), { Authorization: `Bearer ${token}` }),
      );
      // `--profile`: once (first repeat), after the measured window, so it never slows it.
      const profileFile = ctx.profileDir && ctx.repeat === 1 ? join(ctx.profileDir, 'S3-history.cpuprofile') : null;
      const result = await runClosedLoop({
        url: server.url,
        serverPid: server.pid,
        concurrency,
        warmup: ctx.params.historyWarmup,
        durationMs,
        nextRequest: (i) => requests[i]!,
        isSuccess: graphqlOk,
        afterWindow: profileWindow(server, profileFile, ctx.params.profileMs),
      });
      if (result.errors > 0) throw new ScenarioFailure(`${result.errors} page reads failed, first: ${result.firstError}`);
      if (profileFile) {
        const title = `S3 history, newest 50 of ${total.toLocaleString('en-US')}, steady state (${ctx.params.profileMs / 1000} s after the window)`;
        ctx.addProfile(summarizeProfile(profileFile, title, result.servedAfter));
      }
      return {
        'S3.rps': result.rps,
        'S3.p50': result.p50,
        'S3.p99': result.p99,
        'S3.cpuUs': result.cpuPerRequestUs,
        'S3.warmupS': result.warmupMs / 1000,
      };
    } finally {
      await server.stop();
    }
  },
  report: (m, params) => [
    ratioRow(
      `req/s, newest 50 of ${params.history.messages.toLocaleString('en-US')}`,
      m('S3.rps'),
      'req/s',
      'raw SELECT … LIMIT 50',
      m('B-sqlite.page.rps'),
      atLeast(0.2, '≥ 0.2× raw read'),
    ),
    ratioRow('server CPU per page', m('S3.cpuUs'), 'µs', 'raw read CPU', m('B-sqlite.page.cpuUs')),
    plainRow('latency p50', m('S3.p50'), 'ms'),
    plainRow('latency p99', m('S3.p99'), 'ms'),
    plainRow('warm-up', m('S3.warmupS'), 's'),
  ],
};
