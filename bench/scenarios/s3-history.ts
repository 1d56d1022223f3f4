/**
 * S3: history paging — pages of 50 through the Relay connection
 * `session(id) { messages(last: 50, before: …) }` at random positions of a session holding
 * `history.messages` stored messages (seeded straight into SQLite), closed loop with 50
 * clients; against the raw better-sqlite3 page read.
 */
import { graphqlOk } from '../lib/chat-load.ts';
import { graphqlRequest, startChatServer } from '../lib/chat-server.ts';
import { runClosedLoop } from '../lib/closed-loop.ts';
import { jsonPost } from '../lib/http-client.ts';
import { plainRow, ratioRow, type Scenario } from '../lib/scenario.ts';
import { mintTokens } from '../lib/tokens.ts';

const SESSION = 'history-session';
const PAGE =
  'query Page($id: ID!, $before: String) { session(id: $id) { messages(last: 50, before: $before) { ' +
  'edges { cursor node { id seq role content timestamp authorId } } pageInfo { hasPreviousPage startCursor } } } }';

interface PageData {
  session: { messages: { edges: { cursor: string; node: { seq: number } }[] } };
}

/**
 * Cursor for any seq, learnt from one the server handed out: the connection's cursors are
 * opaque, so take the newest message's and swap its seq (checked below against a real page).
 */
function cursorMaker(sample: string, sampleSeq: number): (seq: number) => string {
  const decoded = Buffer.from(sample, 'base64').toString('utf8');
  const marker = `N:${sampleSeq}"`;
  if (!decoded.includes(marker)) throw new Error(`cannot derive cursors from ${decoded}`);
  return (seq) => Buffer.from(decoded.replace(marker, `N:${seq}"`)).toString('base64');
}

export const s3History: Scenario = {
  id: 'S3',
  title: 'S3 history page of 50 via the Relay connection (closed loop)',
  needs: ['B-sqlite', 'B-http'],
  async run(ctx) {
    const total = ctx.params.history.messages;
    const { concurrency } = ctx.params.closedLoop;
    const users = Array.from({ length: concurrency }, (_, i) => `s3-user-${i}`);
    const server = await startChatServer({
      pinning: ctx.pinning,
      seed: [{ id: SESSION, ownerId: users[0]!, participantIds: users, messages: total }],
      cpuProfileDir: ctx.profileDir ? `${ctx.profileDir}/S3` : undefined,
    });
    try {
      const tokens = await mintTokens(users);
      const newest = await graphqlRequest<PageData>(server.graphqlUrl, tokens[0]!, PAGE.replace('last: 50', 'last: 1'), { id: SESSION });
      const edge = newest.session.messages.edges[0]!;
      const cursorFor = cursorMaker(edge.cursor, edge.node.seq);
      const at = Math.min(1000, total);
      const check = await graphqlRequest<PageData>(server.graphqlUrl, tokens[0]!, PAGE, { id: SESSION, before: cursorFor(at) });
      const seqs = check.session.messages.edges.map((e) => e.node.seq);
      if (seqs.length !== 50 || seqs[0] !== at - 50 || seqs[49] !== at - 1) {
        throw new Error(`unexpected page before seq ${at}: ${seqs[0]}…${seqs.at(-1)}`);
      }

      const host = new URL(server.url).host;
      const result = await runClosedLoop({
        url: server.url,
        serverPid: server.pid,
        ...ctx.params.closedLoop,
        nextRequest: (i) => {
          const before = 52 + Math.floor(Math.random() * (total - 51));
          return jsonPost(host, '/graphql', JSON.stringify({ query: PAGE, variables: { id: SESSION, before: cursorFor(before) } }), {
            Authorization: `Bearer ${tokens[i]}`,
          });
        },
        isSuccess: graphqlOk,
      });
      if (result.errors > 0) ctx.log(`  S3: ${result.errors} errors, first: ${result.firstError}`);
      return {
        'S3.rps': result.rps,
        'S3.p50': result.p50,
        'S3.p99': result.p99,
        'S3.cpuUs': result.cpuPerRequestUs,
        'S3.errors': result.errors,
      };
    } finally {
      await server.stop();
    }
  },
  report: (m, params) => [
    ratioRow(
      `req/s (${params.history.messages.toLocaleString('en-US')} stored)`,
      m('S3.rps'),
      'req/s',
      'raw page read',
      m('B-sqlite.page.rps'),
    ),
    ratioRow('latency p50', m('S3.p50'), 'ms', 'raw page read p50', m('B-sqlite.page.p50')),
    ratioRow('latency p99', m('S3.p99'), 'ms', 'raw page read p99', m('B-sqlite.page.p99')),
    ratioRow('req/s (vs hello world)', m('S3.rps'), 'req/s', 'node:http hello', m('B-http.rps')),
    plainRow('server CPU per request', m('S3.cpuUs'), 'µs'),
    plainRow('errors', m('S3.errors'), ''),
  ],
};
