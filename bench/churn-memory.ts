/**
 * `npm run bench:churn`: 10,000 subscribe/unsubscribe cycles on one graphql-ws connection
 * against an in-process server, printing heap and RSS after forced GC at checkpoints.
 * Memory must plateau: the line "growth 2k→10k" should be near zero.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

const CYCLES = Number(process.argv[2] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:churn does)');

const dir = mkdtempSync(join(tmpdir(), 'chat-churn-'));
const secret = 'churn-secret-churn-secret-churn-secret!!';
const app = await buildApp(
  loadConfig({
    DATABASE_URL: `file:${join(dir, 'chat.db')}`,
    DATA_DIR: dir,
    JWT_SECRET: secret,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  }),
);
const url = await app.start();
const token = await new SignJWT({})
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject('churner')
  .setExpirationTime('1h')
  .sign(new TextEncoder().encode(secret));
const created = await fetch(`${url}/graphql`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: JSON.stringify({ query: 'mutation { createSession(input: {}) { id } }' }),
});
const sessionId = ((await created.json()) as { data: { createSession: { id: string } } }).data.createSession.id;

const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
const pongs: (() => void)[] = [];
socket.on('message', (raw) => {
  const message = JSON.parse(raw.toString()) as { type: string };
  if (message.type === 'pong' || message.type === 'connection_ack') pongs.shift()?.();
});
await new Promise((resolve) => socket.once('open', resolve));
const roundTrip = (frame: object) =>
  new Promise<void>((resolve) => {
    pongs.push(resolve);
    socket.send(JSON.stringify(frame));
  });
await roundTrip({ type: 'connection_init', payload: { token } });

const sample = () => {
  gc();
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapMb: heapUsed / 2 ** 20, rssMb: rss / 2 ** 20 };
};
const query = 'subscription($s: ID!) { messageReceived(sessionId: $s) { seq content } }';
const checkpoints: { cycles: number; heapMb: number; rssMb: number }[] = [{ cycles: 0, ...sample() }];
const started = Date.now();
for (let i = 1; i <= CYCLES; i++) {
  socket.send(JSON.stringify({ id: 'sub', type: 'subscribe', payload: { query, variables: { s: sessionId } } }));
  socket.send(JSON.stringify({ id: 'sub', type: 'complete' }));
  if (i % 100 === 0) await roundTrip({ type: 'ping' });
  if (i % 2000 === 0) checkpoints.push({ cycles: i, ...sample() });
}
const seconds = (Date.now() - started) / 1000;
await new Promise((r) => setTimeout(r, 200));
const final = sample();
console.log('cycles  heapUsed MB  rss MB');
for (const c of checkpoints)
  console.log(`${String(c.cycles).padStart(6)}  ${c.heapMb.toFixed(2).padStart(11)}  ${c.rssMb.toFixed(1).padStart(6)}`);
const at2k = checkpoints.find((c) => c.cycles === 2000) ?? checkpoints[0]!;
console.log(
  `growth 2k→${CYCLES / 1000}k: heap ${(final.heapMb - at2k.heapMb).toFixed(2)} MB, rss ${(final.rssMb - at2k.rssMb).toFixed(1)} MB`,
);
console.log(
  `${CYCLES} cycles in ${seconds.toFixed(1)} s (${Math.round(CYCLES / seconds)} cycles/s); open channels ${app.realtime.hub.channelCount}, presence ${app.realtime.presence.size}`,
);
socket.close();
await app.stop();
rmSync(dir, { recursive: true, force: true });
