import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

/** Which database a URL selects: SQLite for `file:` URLs, PostgreSQL for `postgres(ql)://`. */
export type DatabaseProvider = 'sqlite' | 'postgresql';

export interface DatabaseTarget {
  provider: DatabaseProvider;
  url: string;
}

/** The embedded default used when DATABASE_URL is unset. */
export const DEFAULT_DATABASE_URL = 'file:./data/chat.db';

export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('file:')) return { provider: 'sqlite', url };
  if (/^postgres(ql)?:\/\//.test(url)) return { provider: 'postgresql', url };
  throw new Error(`DATABASE_URL must start with "file:" (SQLite) or "postgresql://" (PostgreSQL); got "${url.split(':')[0]}:..."`);
}

/** Absolute path of a SQLite `file:` URL (relative paths resolve from the working directory). */
export function sqliteFilePath(url: string): string {
  return resolve(url.slice('file:'.length).split('?')[0] ?? '');
}

/** Makes sure the folder of a SQLite file exists; PostgreSQL needs nothing. */
export function ensureDatabaseLocation(target: DatabaseTarget): void {
  if (target.provider === 'sqlite') mkdirSync(dirname(sqliteFilePath(target.url)), { recursive: true });
}

/**
 * SQLite: how long every connection waits for a lock another connection (or process) holds
 * before failing with SQLITE_BUSY, which requests answer as SERVICE_UNAVAILABLE.
 */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * PostgreSQL: how long to wait for a connection (a new one, or a free one from the pool)
 * before failing, so an unreachable database answers SERVICE_UNAVAILABLE instead of hanging.
 */
const POSTGRES_CONNECT_TIMEOUT_MS = 3000;
/**
 * Longest wait of one PostgreSQL statement for a lock. Sends into one session queue on its row
 * (each holds it for one short transaction), so a burst on a loaded machine waits seconds; past
 * this bound the holder is stuck and the waiter answers SERVICE_UNAVAILABLE.
 */
const POSTGRES_LOCK_TIMEOUT_MS = 15_000;
/** Longest run of one PostgreSQL statement; our slowest (a page of history) takes milliseconds. */
const POSTGRES_STATEMENT_TIMEOUT_MS = 30_000;

export interface AdapterOptions {
  /** SQLite: the busy timeout of each connection (default SQLITE_BUSY_TIMEOUT_MS). */
  sqliteBusyTimeoutMs?: number;
}

/**
 * Each driver is loaded when a target first needs it: a server on SQLite never loads the
 * PostgreSQL driver (and the other way round), which would only take memory. Both adapters
 * ship CommonJS builds, so this stays synchronous.
 */
const require = createRequire(import.meta.url);
const loadSqliteAdapter = () =>
  (require('@prisma/adapter-better-sqlite3') as typeof import('@prisma/adapter-better-sqlite3')).PrismaBetterSqlite3;
const loadPostgresAdapter = () => (require('@prisma/adapter-pg') as typeof import('@prisma/adapter-pg')).PrismaPg;

/** A Prisma driver adapter factory for the target. */
export function createAdapterFactory(target: DatabaseTarget, options: AdapterOptions = {}): SqlMigrationAwareDriverAdapterFactory {
  if (target.provider === 'sqlite') {
    // better-sqlite3's `timeout` is SQLite's busy timeout (sqlite3_busy_timeout) for the connection.
    const PrismaBetterSqlite3 = loadSqliteAdapter();
    return new PrismaBetterSqlite3({ url: sqliteFilePath(target.url), timeout: options.sqliteBusyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS });
  }
  const PrismaPg = loadPostgresAdapter();
  return new PrismaPg({
    connectionString: target.url,
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
    // A statement waiting for a row lock (a clear holding the session row, an operator's
    // transaction) gives up like a SQLite writer does after its busy timeout, and answers
    // SERVICE_UNAVAILABLE; nothing waits forever for a lock or a runaway statement.
    lock_timeout: POSTGRES_LOCK_TIMEOUT_MS,
    statement_timeout: POSTGRES_STATEMENT_TIMEOUT_MS,
  });
}
