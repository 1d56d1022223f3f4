/** Starts the real chat server (`node --import tsx src/main.ts`) on the server core against a fresh database. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freshPostgres, freshSqlite, seedDatabase, type FreshDatabase, type SeedSession } from './databases.ts';
import { spawnNode, type Pinning, type SpawnedProcess } from './processes.ts';
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
  env?: Record<string, string>;
  /** Writes a V8 CPU profile into this folder when the server exits. */
  cpuProfileDir?: string;
  /** Run on the load generator's core instead of the server core (a second instance). */
  onLoadCore?: boolean;
}

/** Settings every benchmarked server gets: limits raised so the load is not refused. */
export const BENCH_SERVER_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  JWT_SECRET: BENCH_JWT_SECRET,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  CONNECTIONS_PER_USER: '100000',
  MAX_MESSAGES_PER_SESSION: '1000000000',
  // Scenarios send faster than a user may (S2 at 100 subscribers sends 80 in its window): a refused send is a failed run.
  MESSAGES_PER_MINUTE: '0',
};

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
  const nodeArgs = ['--import', 'tsx', 'src/main.ts'];
  if (options.cpuProfileDir) {
    mkdirSync(options.cpuProfileDir, { recursive: true });
    nodeArgs.unshift('--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir);
  }
  const child = spawnNode(
    options.pinning,
    nodeArgs,
    { ...BENCH_SERVER_ENV, DATABASE_URL: database.url, DATA_DIR: join(database.dataDir, 'data'), ...options.env },
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
