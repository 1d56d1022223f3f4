/**
 * S5: idle connections — authenticated graphql-ws sockets with one messageReceived
 * subscription each (members of sessions of 10). Server RSS growth per connection and the
 * connect + authenticate + subscribe rate, against raw ws idle connections.
 */
import { closeAll } from '../lib/chat-load.ts';
import { MESSAGE_RECEIVED } from '../lib/chat-load.ts';
import { startChatServer } from '../lib/chat-server.ts';
import { measureIdleConnections } from '../lib/idle.ts';
import { atMost, ratioRow, type Scenario } from '../lib/scenario.ts';
import { sessionGrid } from '../lib/session-grid.ts';
import { mintTokens } from '../lib/tokens.ts';
import { connectLean, connectMany } from '../lib/ws-client.ts';

const MEMBERS = 10;
const WARM = 100;

export const s5Idle: Scenario = {
  id: 'S5',
  title: 'S5 idle graphql-ws connections (one subscription each)',
  needs: ['B-ws'],
  async run(ctx) {
    const { connections } = ctx.params.idle;
    const grid = sessionGrid('s5', Math.ceil((connections + WARM) / MEMBERS), MEMBERS);
    const server = await startChatServer({ pinning: ctx.pinning, seed: grid.seed });
    let sockets: { close(): void }[] = [];
    try {
      const tokens = await mintTokens(grid.users.slice(0, connections + WARM));
      const open = (from: number, count: number) =>
        connectMany(count, 64, async (k) => {
          const i = from + k;
          const socket = await connectLean(server.wsUrl, tokens[i]!, { onFrame: () => {} });
          socket.subscribe('1', MESSAGE_RECEIVED, { s: grid.sessionIds[grid.sessionOfUser[i]!] });
          return socket;
        });
      ctx.log(`  S5: ${connections} connections`);
      const result = await measureIdleConnections(server.pid, WARM, connections, open);
      sockets = result.sockets;
      return { 'S5.rssPerConn': result.rssPerConnection, 'S5.connectRate': result.connectRate };
    } finally {
      closeAll(sockets);
      await server.stop();
    }
  },
  report: (m, params) => [
    ratioRow(
      `RSS per connection (${params.idle.connections} connections)`,
      m('S5.rssPerConn') / 1024,
      'KiB',
      'raw ws idle',
      m('B-ws.idle.rssPerConn') / 1024,
      atMost(1.5, '≤ 1.5× raw ws'),
    ),
    ratioRow('connect + auth + subscribe rate', m('S5.connectRate'), 'conn/s', 'raw ws connect', m('B-ws.idle.connectRate')),
  ],
};
