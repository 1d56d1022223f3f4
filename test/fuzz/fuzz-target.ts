/**
 * The server under fuzz: the real entry point in a child process (so a crash is the
 * process exiting, not the test runner dying), with a protected session whose stored
 * data is read back through the API after every batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations } from '../../src/db/migrations.ts';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';
import type { FuzzContext } from './fuzz-context.ts';

export interface FuzzTarget {
  server: ChildServer;
  ctx: FuzzContext;
  /** Problems seen since the last call: the process gone, crash output or error-level log lines. */
  newProcessProblems(): string[];
  /** Problems with the invariants right now: /healthz, the protected data. */
  checkInvariants(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Environment of the fuzzed server: defaults, except an Origin allow-list so the Origin check runs. */
const FUZZ_ENV = { JWT_SECRET: TEST_JWT_SECRET, WEBSOCKET_CORS_ORIGIN: 'http://localhost', LOG_LEVEL: 'warn' };

const SNAPSHOT = `query($s: ID!) {
  session(id: $s) { id title ownerId lastSeq messageCount participants { userId joinedAt } }
  messages(sessionId: $s, limit: 50) { id seq content metadata editedAt authorId clientMessageId timestamp }
}`;

/** Starts the server on a fresh database. `databaseUrl` defaults to a new migrated SQLite file. */
export async function startFuzzTarget(database?: { url: string; dataDir: string }): Promise<FuzzTarget> {
  let dataDir = database?.dataDir;
  let url = database?.url;
  let cleanup = () => {};
  if (!url || !dataDir) {
    const dir = mkdtempSync(join(tmpdir(), 'chat-fuzz-'));
    dataDir = dir;
    url = `file:${join(dir, 'chat.db')}`;
    await applyMigrations({ provider: 'sqlite', url });
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  }
  const server = await startChildServer({ ...FUZZ_ENV, DATABASE_URL: url, DATA_DIR: dataDir });
  let exit: string | undefined;
  server.child.once('exit', (code, signal) => (exit = `server process exited (code ${code}, signal ${signal})`));

  const ownerToken = await mintToken('fuzz-owner');
  const protectedSessionId = dataOf(
    await graphql<{ createSession: { id: string } }>(
      server.graphqlUrl,
      'mutation { createSession(input: { title: "protected 一😀" }) { id } }',
      {},
      { token: ownerToken },
    ),
  ).createSession.id;
  const send = async (content: string, metadata: unknown) =>
    dataOf(
      await graphql<{ sendMessage: { id: string } }>(
        server.graphqlUrl,
        'mutation($s: ID!, $c: String!, $m: JSON) { sendMessage(sessionId: $s, input: { content: $c, metadata: $m }) { id } }',
        { s: protectedSessionId, c: content, m: metadata },
        { token: ownerToken },
      ),
    ).sendMessage.id;
  const protectedMessageId = await send('first message', { a: 1 });
  await send('multi-byte 一二三 😀 é', null);
  await send('x'.repeat(500), { nested: { list: [1, 'two', null] } });

  const token = await mintToken('fuzzer');
  const ownSessionId = dataOf(
    await graphql<{ createSession: { id: string } }>(server.graphqlUrl, 'mutation { createSession(input: {}) { id } }', {}, { token }),
  ).createSession.id;
  const badTokens = [
    await mintToken('fuzzer', { expiresIn: -10 }),
    await mintToken('fuzzer', { secret: 'another-secret-that-is-long-enough-0123456789' }),
    'not.a.jwt',
    '',
  ];
  const port = Number(new URL(server.url).port);
  const ctx: FuzzContext = { host: '127.0.0.1', port, token, badTokens, protectedSessionId, protectedMessageId, ownSessionId };

  const snapshot = async () => {
    const response = await graphql(server.graphqlUrl, SNAPSHOT, { s: protectedSessionId }, { token: ownerToken });
    const rest = await fetch(`${server.url}/chat/sessions/${protectedSessionId}/messages?limit=50`, {
      headers: { authorization: `Bearer ${ownerToken}` },
    });
    return JSON.stringify({ graphql: dataOf(response), rest: { status: rest.status, body: await rest.text() } });
  };
  const before = await snapshot();
  let consumed = 0;

  return {
    server,
    ctx,
    newProcessProblems() {
      const problems = exit ? [exit] : [];
      const complete = server.stderr.lastIndexOf('\n') + 1;
      const fresh = server.stderr.slice(consumed, complete);
      consumed = complete;
      const crashLines: string[] = [];
      for (const line of fresh.split('\n')) {
        if (line.trim() === '') continue;
        let entry: { level?: string; message?: string } | undefined;
        try {
          entry = JSON.parse(line) as { level?: string; message?: string };
        } catch {
          crashLines.push(line);
          continue;
        }
        if (entry.level === 'error') problems.push(`error logged: ${line.slice(0, 600)}`);
      }
      // Node writes an uncaught exception as plain text, never as one of our JSON lines.
      if (crashLines.length > 0)
        problems.push(`crash output on stderr (uncaught exception):\n      ${crashLines.slice(0, 14).join('\n      ')}`);
      return problems;
    },
    async checkInvariants() {
      const problems: string[] = [];
      if (exit) return [exit];
      try {
        const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
        if (health.status !== 200) problems.push(`/healthz answered ${health.status}`);
      } catch (error) {
        return [`/healthz did not answer: ${String(error)}`];
      }
      try {
        const now = await snapshot();
        if (now !== before) problems.push(`stored data of the protected session changed:\nbefore ${before}\nafter  ${now}`);
      } catch (error) {
        problems.push(`reading the protected session failed: ${String(error)}`);
      }
      return problems;
    },
    async stop() {
      await server.stop();
      cleanup();
    },
  };
}
