/**
 * Starts the real chat server the way production runs it — the compiled dist/src/main.js on
 * plain node (built first when stale) — under bench/lib/gc-entry.mjs (GC and CPU profiling
 * over IPC), on the server core, against a fresh database, with the limits the scenario states.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { freshPostgres, freshSqlite, seedDatabase, type FreshDatabase, type SeedSession } from './databases.ts';
import { gcWrapped, repoRoot, spawnNode, type Pinning, type SpawnedProcess } from './processes.ts';
import { BENCH_JWT_SECRET } from './tokens.ts';

export interface ChatServer {
  process: SpawnedProcess;
  pid: number;
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  database: FreshDatabase;
  stop(): Promise<void>;
}

export interface ChatServerOptions {
  pinning: Pinning | null;
  provider?: 'sqlite' | 'postgresql';
  /** Rows written into the SQLite file before the server starts. */
  seed?: readonly SeedSession[];
  /** Share another server's database (second instance); it is not dropped by this server. */
  database?: FreshDatabase;
  /**
   * The server's abuse limits this scenario needs, stated explicitly (never the defaults,
   * which refuse a benchmark's load: 60 sends a minute, 20 typing events per 10 s).
   */
  limits: ServerLimits;
  env?: Record<string, string>;
  /** Run on the load generator's core instead of the server core (a second instance). */
  onLoadCore?: boolean;
}

/** The limits a scenario sets on its servers (README's configuration table; 0 = off where the server allows it). */
export interface ServerLimits {
  MESSAGES_PER_MINUTE: number;
  TYPING_EVENTS_PER_10S: number;
  CONNECTIONS_PER_USER: number;
  MAX_MESSAGES_PER_SESSION: number;
  TYPING_THROTTLE_MS?: number;
}

/** Limits that never refuse benchmark load: rate limits off, per-user and per-session caps far above any scenario. */
export const UNLIMITED: ServerLimits = {
  MESSAGES_PER_MINUTE: 0,
  TYPING_EVENTS_PER_10S: 0,
  CONNECTIONS_PER_USER: 100_000,
  MAX_MESSAGES_PER_SESSION: 1_000_000_000,
};

/** Settings every benchmarked server gets besides its limits. */
export const BENCH_SERVER_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  JWT_SECRET: BENCH_JWT_SECRET,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
};

/**
 * Overrides from `--server-env NAME=VALUE`, applied after a scenario's limits (e.g. to check
 * that a refused send fails the scenario). Set once by the orchestrator.
 */
export const serverEnvOverrides: Record<string, string> = {};

/** The compiled server entry (scripts/build.mjs writes dist/). */
export const SERVER_ENTRY = 'dist/src/main.js';

/** Builds dist/ when it is missing or older than src/ (`node scripts/build.mjs --if-stale`); throws when the build fails. */
export function ensureServerBuilt(): void {
  const result = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building dist/ failed (node scripts/build.mjs --if-stale)');
}

function limitEnv(limits: ServerLimits): Record<string, string> {
  return Object.fromEntries(Object.entries(limits).map(([name, value]) => [name, String(value)]));
}

/**
 * Starts a chat server; a process killed by a signal before it listened (something else on
 * a shared machine) is started once more.
 */
export async function startChatServer(options: ChatServerOptions): Promise<ChatServer> {
  try {
    return await startOnce(options);
  } catch (error) {
    if (!(error instanceof KilledBeforeListening)) throw error;
    console.log(`  note: ${error.message}; starting it again`);
    return startOnce(options);
  }
}

class KilledBeforeListening extends Error {}

async function startOnce(options: ChatServerOptions): Promise<ChatServer> {
  const owned = !options.database;
  const database = options.database ?? (options.provider === 'postgresql' ? await freshPostgres() : await freshSqlite());
  if (options.seed) await seedDatabase(database, options.seed);
  const child = spawnNode(
    options.pinning,
    gcWrapped(SERVER_ENTRY),
    {
      ...BENCH_SERVER_ENV,
      DATABASE_URL: database.url,
      DATA_DIR: join(database.dataDir, 'data'),
      ...limitEnv(options.limits),
      ...options.env,
      ...serverEnvOverrides,
    },
    options.onLoadCore ? options.pinning?.loadCore : options.pinning?.serverCore,
  );
  let url: string;
  try {
    url = (await child.waitFor(/listening on (http:\/\/[^\s/]+)/))[1]!;
  } catch (error) {
    await child.stop();
    if (owned) await database.drop();
    const signal = child.child.signalCode;
    if (signal) throw new KilledBeforeListening(`chat server was killed (${signal}) before it listened`);
    throw error;
  }
  return {
    process: child,
    pid: child.pid,
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    database,
    async stop() {
      const code = await child.stop();
      if (owned) await database.drop();
      if (code !== 0) throw new Error(`chat server exited with ${code}:\n${child.output().slice(-2000)}`);
    },
  };
}

/** One GraphQL request with fetch (set-up and checks; the measured paths use the lean client). */
export async function graphqlRequest<T = Record<string, unknown>>(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors?.length) throw new Error(`GraphQL request failed: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}
