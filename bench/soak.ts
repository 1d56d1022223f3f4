/**
 * `npm run soak -- [--seconds 60] [--clients 200] [--heap-mb 128]`: soaks a server process with many
 * graphql-ws clients that keep subscribing and unsubscribing, HTTP sends and typing,
 * for a bounded time (loopback only). Prints the server's RSS over time and error counts.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { startChildServer } from '../test/support/child-server.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 60);
const CLIENTS = arg('clients', 200);
/** With --heap-mb N the server runs with a small V8 heap: a leak then ends it instead of hiding in RSS. */
const HEAP_MB = arg('heap-mb', 0);
const PER_SESSION = 10;
const secret = 'soak-secret-soak-secret-soak-secret-soak!';
const dir = mkdtempSync(join(tmpdir(), 'chat-soak-'));

const server = await startChildServer({
  DATABASE_URL: process.env.DATABASE_URL ?? `file:${join(dir, 'chat.db')}`,
  DATA_DIR: dir,
  JWT_SECRET: secret,
  MAX_MESSAGES_PER_SESSION: '100000',
  LOG_LEVEL: 'warn',
  ...(HEAP_MB > 0 ? { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } : {}),
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_CHANNEL_PREFIX: `soak:${Date.now()}:` } : {}),
});
const pid = server.child.pid!;
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const key = new TextEncoder().encode(secret);
const tokenFor = (user: string) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setExpirationTime('2h').sign(key);
const gql = async (token: string, query: string, variables: Record<string, unknown>) => {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, { id?: string }>; errors?: { extensions?: { code?: string } }[] };
};

const counts = { sends: 0, deliveries: 0, subscribes: 0, unsubscribes: 0, typing: 0 };
const errors = new Map<string, number>();
const count = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1);

interface Soaker {
  user: string;
  token: string;
  sessionId: string;
  client: Client;
  stop?: () => void;
}
const soakers: Soaker[] = [];
for (let s = 0; s < Math.ceil(CLIENTS / PER_SESSION); s++) {
  const users = Array.from({ length: PER_SESSION }, (_, i) => `soak-${s}-${i}`);
  const ownerToken = await tokenFor(users[0]!);
  const created = await gql(ownerToken, 'mutation($p: [ID!]) { createSession(input: { participantIds: $p }) { id } }', {
    p: users.slice(1),
  });
  const sessionId = created.data!.createSession!.id!;
  for (const user of users) {
    if (soakers.length >= CLIENTS) break;
    const token = await tokenFor(user);
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { token },
      retryAttempts: 0,
      on: {
        closed: (event) => {
          const code = (event as { code?: number }).code;
          if (code !== 1000 && running) count(`ws close ${code}`);
        },
      },
    });
    soakers.push({ user, token, sessionId, client });
  }
}

let running = true;
const subscribeOnce = (soaker: Soaker) => {
  counts.subscribes++;
  soaker.stop = soaker.client.subscribe(
    { query: 'subscription($s: ID!) { messageReceived(sessionId: $s) { seq content } }', variables: { s: soaker.sessionId } },
    {
      next: (result) => (result.errors ? count(`subscription ${result.errors[0]?.extensions?.code}`) : counts.deliveries++),
      error: () => running && count('subscription error'),
      complete: () => {},
    },
  );
};
const churn = async (soaker: Soaker) => {
  while (running) {
    subscribeOnce(soaker);
    await sleep(500 + Math.random() * 3000);
    soaker.stop?.();
    counts.unsubscribes++;
    await sleep(Math.random() * 300);
  }
};
const talk = async (soaker: Soaker) => {
  await sleep(Math.random() * 3000);
  while (running) {
    const typing = await gql(soaker.token, 'mutation($s: ID!) { setTyping(sessionId: $s, isTyping: true) }', { s: soaker.sessionId });
    counts.typing++;
    if (typing.errors) count(`typing ${typing.errors[0]?.extensions?.code}`);
    const sent = await gql(soaker.token, 'mutation($s: ID!, $c: String!) { sendMessage(sessionId: $s, input: { content: $c }) { seq } }', {
      s: soaker.sessionId,
      c: `soak ${Date.now()} ${'x'.repeat(Math.floor(Math.random() * 500))}`,
    });
    if (sent.errors) count(`send ${sent.errors[0]?.extensions?.code}`);
    else counts.sends++;
    await sleep(2000 + Math.random() * 2000); // ≈ 20 sends a minute per user, under MESSAGES_PER_MINUTE
  }
};
function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const samples: { t: number; rss: number }[] = [{ t: 0, rss: rssMb() }];
console.log(`soaking ${server.url} with ${soakers.length} clients for ${SECONDS} s`);
const started = Date.now();
const loops = soakers.flatMap((soaker) => [churn(soaker), talk(soaker)]);
const sampler = setInterval(() => {
  const sample = { t: Math.round((Date.now() - started) / 1000), rss: rssMb() };
  samples.push(sample);
  console.log(
    `t=${String(sample.t).padStart(4)}s rss=${sample.rss.toFixed(1)} MB sends=${counts.sends} deliveries=${counts.deliveries} subs=${counts.subscribes}`,
  );
}, 5000);
await sleep(SECONDS * 1000);
running = false;
clearInterval(sampler);
await Promise.allSettled(loops);
await Promise.all(soakers.map((s) => s.client.dispose()));
await sleep(500);
const final = rssMb();
const code = await server.stop();
rmSync(dir, { recursive: true, force: true });

const peak = Math.max(...samples.map((s) => s.rss));
console.log('\nsoak summary');
console.log(`duration ${SECONDS} s, clients ${soakers.length}, server exit code ${code}`);
console.log(`server RSS: start ${samples[0]!.rss.toFixed(1)} MB, peak ${peak.toFixed(1)} MB, end ${final.toFixed(1)} MB`);
console.log(
  `sends ${counts.sends}, deliveries ${counts.deliveries}, subscribes ${counts.subscribes}, unsubscribes ${counts.unsubscribes}, typing ${counts.typing}`,
);
console.log(`errors: ${errors.size === 0 ? 'none' : [...errors].map(([k, v]) => `${k}=${v}`).join(', ')}`);
process.exit(errors.size === 0 && code === 0 ? 0 : 1);
