/**
 * S5: idle connections — authenticated graphql-ws sockets with one messageReceived
 * subscription each (members of sessions of 10). RSS per connection is the slope of the
 * server's RSS from `idle.from` to `idle.to` open connections, each reading after a forced
 * GC; also the RSS with no connection at all and the connect + authenticate + subscribe rate.
 * Compared with raw ws idle connections measured the same way.
 */
import { closeAll, MESSAGE_RECEIVED } from '../lib/chat-load.ts';
import { startChatServer, UNLIMITED } from '../lib/chat-server.ts';
import { measureIdleConnections } from '../lib/idle.ts';
import { atMost, plainRow, ratioRow, targetRow, type Scenario } from '../lib/scenario.ts';
import { sessionGrid } from '../lib/session-grid.ts';
import { mintTokens } from '../lib/tokens.ts';
import { connectLean, connectMany } from '../lib/ws-client.ts';

const MEMBERS = 10;
const MB = 1e6;

export const s5Idle: Scenario = {
  id: 'S5',
  title: 'S5 idle graphql-ws connections (one subscription each)',
  needs: ['B-ws-idle'],
  async run(ctx) {
    const { to } = ctx.params.idle;
    const grid = sessionGrid('s5', Math.ceil(to / MEMBERS), MEMBERS);
    // Nothing is sent; each user holds one socket.
    const server = await startChatServer({ pinning: ctx.pinning, seed: grid.seed, limits: { ...UNLIMITED, CONNECTIONS_PER_USER: 5 } });
    let sockets: { close(): void }[] = [];
    let closedUnderUs = 0;
    try {
      const tokens = await mintTokens(grid.users.slice(0, to));
      const open = (from: number, count: number) =>
        connectMany(count, 64, async (k) => {
          const i = from + k;
          const socket = await connectLean(server.wsUrl, tokens[i]!, {
            onFrame: () => {},
            onUnexpectedClose: () => (closedUnderUs += 1),
          });
          socket.subscribe('1', MESSAGE_RECEIVED, { s: grid.sessionIds[grid.sessionOfUser[i]!] });
          return socket;
        });
      ctx.log(`  S5: ${ctx.params.idle.from} → ${to} connections`);
      const result = await measureIdleConnections(server.process, ctx.params.idle, open);
      sockets = result.sockets;
      if (closedUnderUs > 0) throw new Error(`${closedUnderUs} idle connections were closed by the server`);
      return { 'S5.rssPerConn': result.rssPerConnection, 'S5.rss0': result.idleRss, 'S5.connectRate': result.connectRate };
    } finally {
      closeAll(sockets);
      await server.stop();
    }
  },
  report: (m, params) => [
    ratioRow(
      `RSS per connection (slope ${params.idle.from} → ${params.idle.to}, GC forced)`,
      m('S5.rssPerConn') / 1024,
      'KiB',
      'raw ws idle',
      m('B-ws.idle.rssPerConn') / 1024,
      atMost(2, '≤ 2× raw ws'),
    ),
    targetRow('server RSS with no connection (after GC)', m('S5.rss0') / MB, 'MB', atMost(120, '≤ 120 MB')),
    plainRow('raw ws RSS with no connection', m('B-ws.idle.rss0') / MB, 'MB'),
    ratioRow('connect + auth + subscribe rate', m('S5.connectRate'), 'conn/s', 'raw ws connect', m('B-ws.idle.connectRate')),
  ],
};
