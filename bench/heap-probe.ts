/**
 * Diagnostic (not part of `npm run bench`): opens S5's idle subscribed connections against the
 * chat server (or the raw ws baseline with `--raw`), and at `from` and `to` connections reads
 * RSS after a forced GC and writes a heap snapshot, for bench/heap-diff.mjs to compare.
 *   npx tsx bench/heap-probe.ts --out /tmp/dir [--raw] [--from 1000] [--to 3000] [--no-snapshot]
 */
import { parseArgs } from 'node:util';
import { MESSAGE_RECEIVED, closeAll } from './lib/chat-load.ts';
import { ensureServerBuilt, startChatServer, UNLIMITED } from './lib/chat-server.ts';
import { rssAfterGc } from './lib/idle.ts';
import { gcWrapped, spawnNode, type SpawnedProcess } from './lib/processes.ts';
import { sessionGrid } from './lib/session-grid.ts';
import { mintTokens } from './lib/tokens.ts';
import { connectLean, connectMany } from './lib/ws-client.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    raw: { type: 'boolean', default: false },
    from: { type: 'string', default: '1000' },
    to: { type: 'string', default: '3000' },
    'no-snapshot': { type: 'boolean', default: false },
  },
});
const out = values.out ?? '/tmp';
const from = Number(values.from);
const to = Number(values.to);
const grid = sessionGrid('s5', Math.ceil(to / 10), 10);

let proc: SpawnedProcess;
let wsUrl: string;
let stop: () => Promise<unknown>;
if (values.raw) {
  proc = spawnNode(null, gcWrapped('bench/baselines/ws-broadcast.ts', ['--import', 'tsx']), {});
  wsUrl = (await proc.waitFor(/listening on (http:\/\/\S+)/))[1]!.replace(/^http/, 'ws');
  stop = () => proc.stop();
} else {
  ensureServerBuilt();
  const server = await startChatServer({ pinning: null, seed: grid.seed, limits: { ...UNLIMITED, CONNECTIONS_PER_USER: 5 } });
  proc = server.process;
  wsUrl = server.wsUrl;
  stop = () => server.stop();
}
const tokens = values.raw ? [] : await mintTokens(grid.users.slice(0, to));
let closedUnderUs = 0;
const open = (start: number, count: number) =>
  connectMany(count, 64, async (k) => {
    const i = start + k;
    const socket = await connectLean(wsUrl, tokens[i] ?? 'raw', { onFrame: () => {}, onUnexpectedClose: () => (closedUnderUs += 1) });
    socket.subscribe('1', values.raw ? 'subscription' : MESSAGE_RECEIVED, {
      s: values.raw ? 'idle' : grid.sessionIds[grid.sessionOfUser[i]!],
    });
    return socket;
  });

const sockets: { close(): void }[] = [];
const rss0 = await rssAfterGc(proc);
const reading = async (n: number) => {
  const rss = await rssAfterGc(proc);
  const file = `${out}/${values.raw ? 'raw' : 'chat'}-${n}.heapsnapshot`;
  if (!values['no-snapshot']) await proc.ask({ type: 'heap-snapshot', file }, 'heap-snapshot-written', 300_000);
  console.log(JSON.stringify({ connections: n, rssMB: rss / 1e6, file }));
  return rss;
};
try {
  sockets.push(...(await open(0, from)).sockets);
  const a = await reading(from);
  sockets.push(...(await open(from, to - from)).sockets);
  const b = await reading(to);
  if (closedUnderUs > 0) throw new Error(`${closedUnderUs} connections closed by the server`);
  console.log(JSON.stringify({ rss0MB: rss0 / 1e6, perConnectionKiB: (b - a) / (to - from) / 1024 }));
} finally {
  closeAll(sockets);
  await stop();
}
