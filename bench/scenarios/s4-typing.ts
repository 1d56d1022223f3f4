/**
 * S4: typing indicators — `clients` users in `sessions` sessions, each on one socket that
 * subscribes to `typing` of its session and sends setTyping over the same socket at `hz`,
 * alternating true/false so every call is forwarded (no throttling). Deliveries/s, latency
 * from the setTyping send to each other member's event, and proof that nothing was written
 * to the database (PRAGMA data_version, message rows, counters, lastActivityAt).
 */
import { closeAll } from '../lib/chat-load.ts';
import { startChatServer, UNLIMITED } from '../lib/chat-server.ts';
import { watchSqliteWrites } from '../lib/databases.ts';
import { cpuMicros, sleep } from '../lib/processes.ts';
import { exactly, plainRow, ScenarioFailure, targetRow, type Scenario } from '../lib/scenario.ts';
import { sessionGrid } from '../lib/session-grid.ts';
import { LatencyRecorder } from '../lib/stats.ts';
import { mintTokens } from '../lib/tokens.ts';
import { connectLean, connectMany, integerAfter, type LeanSocket } from '../lib/ws-client.ts';

const TYPING = 'subscription Typing($s: ID!) { typing(sessionId: $s) { userId isTyping } }';
const SET_TYPING = 'mutation SetTyping($s: ID!, $v: Boolean!) { setTyping(sessionId: $s, isTyping: $v) }';
const TYPING_FRAME = Buffer.from('{"id":"t"');
const USER = Buffer.from('"userId":"s4-u');
const IS_TYPING_TRUE = Buffer.from('"isTyping":true');
const OP_ID = Buffer.from('"id":"m');
const FORWARDED = Buffer.from('"setTyping":true');
const NOT_FORWARDED = Buffer.from('"setTyping":false');
const ERROR = Buffer.from('"errors"');
const ERROR_FRAME = Buffer.from('"type":"error"');

export const s4Typing: Scenario = {
  id: 'S4',
  title: 'S4 typing indicators over graphql-ws (setTyping over the socket)',
  async run(ctx) {
    const { clients, sessions, hz, warmupMs, durationMs } = ctx.params.typing;
    const members = Math.floor(clients / sessions);
    const grid = sessionGrid('s4', sessions, members);
    const server = await startChatServer({
      pinning: ctx.pinning,
      seed: grid.seed,
      // Every client sends `hz` typing events a second for the whole run (2 Hz is 20 per 10 s:
      // the default limit exactly, so it throttled). Every call must be forwarded, so the
      // throttle of renewed `true`s is off too: on a loaded machine timers bunch up and a
      // true → false → true inside 1 s was answered `false` (not forwarded) with the default.
      limits: { ...UNLIMITED, TYPING_EVENTS_PER_10S: 0, TYPING_THROTTLE_MS: 0, CONNECTIONS_PER_USER: 5 },
    });
    const count = grid.users.length;
    // Per sender and typing value (0/1): the op number and send time of the latest setTyping.
    const lastOp = [new Int32Array(count).fill(-1), new Int32Array(count).fill(-1)];
    const lastSentAt = [new Float64Array(count), new Float64Array(count)];
    const typingNow = new Uint8Array(count);
    const receivedBy = new Uint32Array(count);
    const opInWindow: number[] = [];
    const latencies = new LatencyRecorder();
    let windowOpen = false;
    let delivered = 0;
    let expected = 0;
    let responses = 0;
    let notForwarded = 0;
    let errors = 0;
    let unexpectedCloses = 0;
    let lastDeliveryAt = 0;

    const onFrame = (receiver: number, data: Buffer) => {
      if (data.indexOf(TYPING_FRAME) === 0) {
        receivedBy[receiver]! += 1;
        const sender = integerAfter(data, USER);
        const value = data.indexOf(IS_TYPING_TRUE) >= 0 ? 1 : 0;
        const op = sender >= 0 ? lastOp[value]![sender]! : -1;
        if (op < 0 || !opInWindow[op]) return;
        const now = performance.now();
        delivered += 1;
        lastDeliveryAt = now;
        latencies.record(now - lastSentAt[value]![sender]!);
        return;
      }
      const op = integerAfter(data, OP_ID);
      if (data.indexOf(FORWARDED) >= 0) {
        if (op >= 0 && opInWindow[op]) {
          expected += members - 1;
          responses += 1;
        }
      } else if (data.indexOf(NOT_FORWARDED) >= 0) {
        if (op >= 0 && opInWindow[op]) {
          notForwarded += 1;
          responses += 1;
        }
      } else if (data.indexOf(ERROR) >= 0 || data.indexOf(ERROR_FRAME) >= 0) {
        errors += 1;
      }
    };

    let sockets: LeanSocket[] = [];
    const timers: NodeJS.Timeout[] = [];
    let ticking = true;
    const stopTicking = () => {
      ticking = false;
      for (const timer of timers) clearTimeout(timer);
    };
    const setTyping = (i: number, value: 0 | 1) => {
      const op = opInWindow.length;
      opInWindow.push(windowOpen ? 1 : 0);
      typingNow[i] = value;
      lastOp[value]![i] = op;
      lastSentAt[value]![i] = performance.now();
      sockets[i]!.subscribe(`m${op}`, SET_TYPING, { s: grid.sessionIds[grid.sessionOfUser[i]!], v: value === 1 });
    };
    try {
      const tokens = await mintTokens(grid.users);
      ctx.log(`  S4: ${count} clients in ${sessions} sessions at ${hz} Hz`);
      sockets = (
        await connectMany(count, 64, async (i) => {
          const socket = await connectLean(server.wsUrl, tokens[i]!, {
            onFrame: (data) => onFrame(i, data),
            onUnexpectedClose: () => (unexpectedCloses += 1),
          });
          socket.subscribe('t', TYPING, { s: grid.sessionIds[grid.sessionOfUser[i]!] });
          return socket;
        })
      ).sockets;

      const period = 1000 / hz;
      for (let i = 0; i < count; i++) {
        timers.push(
          setTimeout(() => {
            if (!ticking) return;
            setTyping(i, typingNow[i] ? 0 : 1);
            timers.push(setInterval(() => setTyping(i, typingNow[i] ? 0 : 1), period));
          }, Math.random() * period),
        );
      }
      await sleep(warmupMs);
      const liveBy = performance.now() + 20_000;
      while (receivedBy.some((n) => n === 0) && performance.now() < liveBy) await sleep(100);
      const silent = receivedBy.filter((n) => n === 0).length;
      if (silent > 0) throw new Error(`${silent} typing subscribers never received an event`);

      const writes = watchSqliteWrites(server.database.file!);
      const cpuBefore = cpuMicros(server.pid);
      const start = performance.now();
      windowOpen = true;
      await sleep(durationMs);
      windowOpen = false;
      stopTicking();
      const inWindow = opInWindow.reduce((sum, v) => sum + v, 0);
      // Clear what is still shown as typing (outside the window) so no expiry fires later.
      for (let i = 0; i < count; i++) if (typingNow[i]) setTyping(i, 0);
      const drainBy = performance.now() + 10_000;
      while ((responses < inWindow || delivered < expected) && performance.now() < drainBy) await sleep(10);
      const cpuAfter = cpuMicros(server.pid);
      const written = writes.finish();
      const windowSeconds = (Math.max(lastDeliveryAt, start + 1) - start) / 1000;
      const { p50, p99 } = latencies.summary();
      const lost = Math.max(0, expected - delivered) + (inWindow - responses) + unexpectedCloses;
      if (lost > 0 || errors > 0 || notForwarded > 0) {
        throw new ScenarioFailure(`${lost} deliveries lost, ${errors} errors, ${notForwarded} setTyping calls not forwarded (throttled)`);
      }
      return {
        'S4.dps': delivered / windowSeconds,
        'S4.setTypingPerSec': inWindow / (durationMs / 1000),
        'S4.p50': p50,
        'S4.p99': p99,
        'S4.cpuUs': delivered > 0 ? (cpuAfter - cpuBefore) / delivered : NaN,
        'S4.cpuShare': (cpuAfter - cpuBefore) / (windowSeconds * 1e6),
        'S4.dbWrites':
          written.commits + Math.abs(written.messagesDelta) + Math.abs(written.messageCountDelta) + (written.lastActivityChanged ? 1 : 0),
      };
    } finally {
      stopTicking();
      closeAll(sockets);
      await server.stop();
    }
  },
  report: (m, params) => {
    const { clients, sessions, hz } = params.typing;
    const label = `${clients} clients / ${sessions} sessions @ ${hz} Hz`;
    return [
      plainRow(`${label}: setTyping/s`, m('S4.setTypingPerSec'), '1/s'),
      plainRow(`${label}: deliveries/s`, m('S4.dps'), '1/s'),
      plainRow(`${label}: latency p50`, m('S4.p50'), 'ms'),
      plainRow(`${label}: latency p99`, m('S4.p99'), 'ms'),
      plainRow(`${label}: server CPU per delivery`, m('S4.cpuUs'), 'µs'),
      plainRow(`${label}: server CPU share`, m('S4.cpuShare') * 100, '% core'),
      targetRow(`${label}: database writes`, m('S4.dbWrites'), '', exactly(0, '0')),
    ];
  },
};
