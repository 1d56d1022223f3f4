/**
 * S7: a streamed reply fanned out. One service token streams a reply of T tokens at 50 tokens/s
 * (appendMessage batches of 1–5 tokens) to N readers on messageStream, each its own user on its
 * own socket. In the same run, the same readers get ordinary messages (messageReceived) at the
 * same event rate: server CPU per delivered delta is compared with CPU per delivered message.
 * Reported: p99 token latency (append sent → delta received), deliveries lost or out of order,
 * and the database writes the reply cost (each flush moves the row's streamChunks forward; the
 * row is polled far faster than STREAM_FLUSH_INTERVAL_MS so each write is seen).
 */
import Database from 'better-sqlite3';
import { chatSender, closeAll, subscribeAll } from '../lib/chat-load.ts';
import { startChatServer, UNLIMITED, type ChatServer } from '../lib/chat-server.ts';
import { FanoutReceiver, runFanout } from '../lib/fanout.ts';
import { ConnectionPool, jsonPost } from '../lib/http-client.ts';
import { cpuMicros, sleep } from '../lib/processes.ts';
import { atMost, exactly, plainRow, ratioRow, targetRow, type BenchContext, type Metrics, type Scenario } from '../lib/scenario.ts';
import { LatencyRecorder } from '../lib/stats.ts';
import { mintToken, mintTokens } from '../lib/tokens.ts';
import { connectMany, connectLean, integerAfter, type LeanSocket } from '../lib/ws-client.ts';

const SESSION = 's7-session';
const TOKENS_PER_SECOND = 50;
const FLUSH_INTERVAL_MS = 1000;

interface Size {
  readers: number;
  tokens: number;
}

const sizes: Record<'full' | 'quick' | 'tiny', Size> = {
  full: { readers: 1000, tokens: 2000 },
  quick: { readers: 200, tokens: 500 },
  tiny: { readers: 10, tokens: 100 },
};

const STREAM = 'subscription Stream($id: ID!) { messageStream(messageId: $id, fromOffset: 0) { offset text done } }';
const START = 'mutation Start($s: ID!) { startMessage(sessionId: $s) { id } }';
const APPEND = 'mutation Append($id: ID!, $chunks: [MessageChunkInput!]!) { appendMessage(id: $id, chunks: $chunks) { status nextIndex } }';
const COMPLETE = 'mutation Complete($id: ID!) { completeMessage(id: $id) { status } }';

const OFFSET = Buffer.from('"offset":');
const DONE = Buffer.from('"done":true');
const ERROR_FRAME = Buffer.from('"type":"error"');

/** A seeded PRNG: the same chunking every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The reply as appends: chunks of 1–5 tokens (ASCII words, so offsets are string lengths). */
function planReply(tokens: number): { text: string; tokens: number }[] {
  const random = prng(7);
  const appends: { text: string; tokens: number }[] = [];
  for (let t = 0; t < tokens; ) {
    const n = Math.min(tokens - t, 1 + Math.floor(random() * 5));
    appends.push({ text: Array.from({ length: n }, (_, k) => `tok${t + k} `).join(''), tokens: n });
    t += n;
  }
  return appends;
}

/** Per reader: the next offset it must get; frames with another offset count as gaps or duplicates. */
class StreamReceiver {
  readonly latencies = new LatencyRecorder();
  readonly expected: Int32Array;
  /** Send time of the delta starting at each offset; the offset that follows it. */
  readonly sentAt = new Map<number, number>();
  readonly nextOffset = new Map<number, number>();
  delivered = 0;
  outOfOrder = 0;
  errorFrames = 0;
  finals = 0;
  measuring = false;

  constructor(readers: number) {
    this.expected = new Int32Array(readers);
  }

  onFrame(reader: number, data: Buffer): void {
    if (data.indexOf(DONE) >= 0) {
      this.finals += 1;
      return;
    }
    const offset = integerAfter(data, OFFSET);
    if (offset < 0) {
      if (data.indexOf(ERROR_FRAME) >= 0) this.errorFrames += 1;
      return;
    }
    if (offset !== this.expected[reader]) {
      this.outOfOrder += 1;
      return;
    }
    const next = this.nextOffset.get(offset);
    if (next === undefined) return; // the replay of the first chunk
    this.expected[reader] = next;
    if (!this.measuring) return;
    this.delivered += 1;
    this.latencies.record(performance.now() - this.sentAt.get(offset)!);
  }
}

async function graphqlPost(pool: ConnectionPool, host: string, token: string, query: string, variables: Record<string, unknown>) {
  const response = await pool.request(
    jsonPost(host, '/graphql', JSON.stringify({ query, variables }), { Authorization: `Bearer ${token}` }),
  );
  const body = JSON.parse(response.body.toString()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown[] };
  if (body.errors) throw new Error(`S7: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

/** Counts the reply row's writes: each flush raises streamChunks; the final write sets the status. */
function watchReplyWrites(file: string, messageId: string) {
  const db = new Database(file, { readonly: true });
  const read = db.prepare('SELECT streamChunks AS chunks, status FROM "ConversationMessage" WHERE id = ?');
  let last = -1;
  let status = '';
  let writes = 0;
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      const row = read.get(messageId) as { chunks: number; status: string } | undefined;
      if (row && (row.chunks !== last || row.status !== status)) {
        if (last !== -1) writes += 1;
        last = row.chunks;
        status = row.status;
      }
      await sleep(10);
    }
  };
  const running = poll();
  return {
    async finish() {
      await sleep(50);
      stopped = true;
      await running;
      db.close();
      return writes;
    },
  };
}

/** CPU per ordinary message delivered to the same readers at `rate` messages/s. */
async function ordinaryFanout(server: ChatServer, tokens: string[], rate: number, durationMs: number) {
  const receiver = new FanoutReceiver(new Array<number>(tokens.length).fill(0));
  const sender = chatSender(server.graphqlUrl, [SESSION], [await mintToken('s7-owner')]);
  let sockets: LeanSocket[] = [];
  try {
    sockets = (await subscribeAll(server.wsUrl, tokens, [SESSION], receiver)).sockets;
    return await runFanout(receiver, {
      channels: 1,
      send: sender.send,
      ratePerSecond: rate,
      warmupMs: 1000,
      durationMs,
      serverPids: [server.pid],
    });
  } finally {
    closeAll(sockets);
    sender.close();
  }
}

async function streamedReply(ctx: BenchContext, server: ChatServer, tokens: string[], size: Size) {
  const pool = new ConnectionPool(server.graphqlUrl);
  const host = new URL(server.graphqlUrl).host;
  const bot = await mintToken('s7-bot', { service: true });
  const appends = planReply(size.tokens);
  const receiver = new StreamReceiver(tokens.length);
  let sockets: LeanSocket[] = [];
  try {
    const { startMessage } = await graphqlPost(pool, host, bot, START, { s: SESSION });
    const id = startMessage!.id as string;
    const writes = watchReplyWrites(server.database.file!, id);
    // A first chunk, replayed to every reader as it subscribes: when all have it, all are live.
    await graphqlPost(pool, host, bot, APPEND, { id, chunks: [{ index: 0, text: 'go ' }] });
    receiver.expected.fill(0);
    let offset = 3;
    for (const chunk of appends) {
      receiver.nextOffset.set(offset, offset + chunk.text.length);
      offset += chunk.text.length;
    }
    const replayed = { count: 0 };
    sockets = (
      await connectMany(tokens.length, 64, async (k) => {
        const socket = await connectLean(server.wsUrl, tokens[k]!, {
          onFrame: (data) => {
            if (receiver.expected[k] === 0 && integerAfter(data, OFFSET) === 0) {
              receiver.expected[k] = 3;
              replayed.count += 1;
              return;
            }
            receiver.onFrame(k, data);
          },
        });
        socket.subscribe('1', STREAM, { id });
        return socket;
      })
    ).sockets;
    const deadline = Date.now() + 30_000;
    while (replayed.count < tokens.length && Date.now() < deadline) await sleep(20);
    if (replayed.count < tokens.length) ctx.log(`  S7: only ${replayed.count} of ${tokens.length} readers got the replay`);

    receiver.measuring = true;
    const cpuBefore = cpuMicros(server.pid);
    const start = performance.now();
    let sendErrors = 0;
    let tokensSent = 0;
    let at = 3;
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < appends.length; i++) {
      const chunk = appends[i]!;
      const due = start + (tokensSent * 1000) / TOKENS_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      receiver.sentAt.set(at, performance.now());
      at += chunk.text.length;
      tokensSent += chunk.tokens;
      inFlight.push(
        graphqlPost(pool, host, bot, APPEND, { id, chunks: [{ index: i + 1, text: chunk.text }] }).catch(() => (sendErrors += 1)),
      );
      // Appends of one reply go in order: a producer sends the next after the last answered.
      await inFlight.at(-1);
    }
    const expected = appends.length * tokens.length;
    const drainUntil = Date.now() + 15_000;
    while (receiver.delivered < expected && Date.now() < drainUntil) await sleep(20);
    const cpuUs = cpuMicros(server.pid) - cpuBefore;
    const streamMs = performance.now() - start;
    await graphqlPost(pool, host, bot, COMPLETE, { id });
    const finalsUntil = Date.now() + 10_000;
    while (receiver.finals < tokens.length && Date.now() < finalsUntil) await sleep(20);
    const dbWrites = await writes.finish();
    const { p50, p99 } = receiver.latencies.summary();
    return {
      p50,
      p99,
      cpuUsPerDelta: cpuUs / Math.max(1, receiver.delivered),
      lost: expected - receiver.delivered + sendErrors * tokens.length + (tokens.length - receiver.finals),
      outOfOrder: receiver.outOfOrder + receiver.errorFrames,
      dbWrites,
      dbWriteBound: Math.ceil(streamMs / FLUSH_INTERVAL_MS) + 2,
      appendsPerSecond: appends.length / (streamMs / 1000),
    };
  } finally {
    closeAll(sockets);
    pool.close();
  }
}

export const s7Streaming: Scenario = {
  id: 'S7',
  title: 'S7 streamed reply (messageStream) fanned out',
  async run(ctx) {
    const size = sizes[ctx.params.mode];
    const users = Array.from({ length: size.readers }, (_, i) => `s7-user-${i}`);
    const server = await startChatServer({
      pinning: ctx.pinning,
      seed: [{ id: SESSION, ownerId: 's7-owner', participantIds: users }],
      env: { STREAM_FLUSH_INTERVAL_MS: String(FLUSH_INTERVAL_MS), STREAM_APPENDS_PER_SECOND: '0', MAX_MESSAGE_LENGTH: '100000' },
      // Sends and connections are never refused: the scenario measures the reply, not the limits.
      limits: UNLIMITED,
    });
    try {
      const tokens = await mintTokens(users);
      ctx.log(`  S7: ${size.readers} readers, ${size.tokens} tokens at ${TOKENS_PER_SECOND}/s`);
      // Ordinary messages first, at the event rate the reply's appends will have (one append per 3 tokens on average).
      const durationMs = Math.min(10_000, (size.tokens * 1000) / TOKENS_PER_SECOND);
      const ordinary = await ordinaryFanout(server, tokens, Math.round(TOKENS_PER_SECOND / 3), durationMs);
      const stream = await streamedReply(ctx, server, tokens, size);
      // A refused send or a lost delivery fails the scenario: it is never reported as a figure.
      if (ordinary.lost > 0 || ordinary.sendErrors > 0 || stream.lost > 0 || stream.outOfOrder > 0) {
        throw new Error(
          `S7: ordinary messages lost ${ordinary.lost} (${ordinary.sendErrors} refused or failed sends); ` +
            `reply deltas lost ${stream.lost}, out of order or error frames ${stream.outOfOrder}`,
        );
      }
      const metrics: Metrics = {
        'S7.p50': stream.p50,
        'S7.p99': stream.p99,
        'S7.cpuUs': stream.cpuUsPerDelta,
        'S7.lost': stream.lost + ordinary.lost,
        'S7.outOfOrder': stream.outOfOrder,
        'S7.dbWrites': stream.dbWrites,
        'S7.dbWriteBound': stream.dbWriteBound,
        'S7.messages.cpuUs': ordinary.cpuPerDeliveryUs,
        'S7.messages.p99': ordinary.p99,
        'S7.appendsPerSecond': stream.appendsPerSecond,
      };
      return metrics;
    } finally {
      await server.stop();
    }
  },
  report: (m, params) => {
    const size = sizes[params.mode];
    const label = `${size.readers} readers × ${size.tokens} tokens`;
    return [
      ratioRow(
        `${label}: server CPU per delivered delta`,
        m('S7.cpuUs'),
        'µs',
        'ordinary message',
        m('S7.messages.cpuUs'),
        atMost(1.5, '≤ 1.5× messages'),
      ),
      ratioRow(`${label}: token latency p99 (append → reader)`, m('S7.p99'), 'ms', 'message p99', m('S7.messages.p99')),
      plainRow(`${label}: token latency p50`, m('S7.p50'), 'ms'),
      plainRow(`${label}: appends/s`, m('S7.appendsPerSecond'), '1/s'),
      targetRow(
        `${label}: database writes for the reply`,
        m('S7.dbWrites'),
        '',
        atMost(m('S7.dbWriteBound'), `≤ ${m('S7.dbWriteBound')} (1 per ${FLUSH_INTERVAL_MS} ms + final)`),
      ),
      targetRow(`${label}: lost deliveries`, m('S7.lost'), '', exactly(0, '0')),
      targetRow(`${label}: deltas out of order`, m('S7.outOfOrder'), '', exactly(0, '0')),
    ];
  },
};
