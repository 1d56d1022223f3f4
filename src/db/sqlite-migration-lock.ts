/**
 * The migration lock on SQLite. The schema engine's own lock, `PRAGMA main.locking_mode=EXCLUSIVE`,
 * wants the file to itself: in WAL mode it fails (SQLITE_BUSY, which the engine cannot even
 * name: "unknown variant `SocketTimeout`") as soon as any other process has the file open, so
 * `npm run db:migrate` or a second server could not start beside a running one.
 *
 * Instead the migrating connection takes the database's write lock (BEGIN IMMEDIATE) before
 * the engine reads `_prisma_migrations`, and keeps it until the last migration is recorded:
 * a second migrator waits, then finds nothing left to apply; servers keep reading (WAL) and
 * their writes wait for the commit. Every migration of one run commits together, or none does.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';

/** The engine's lock statement, which is dropped: the transaction below replaces it. */
const ENGINE_LOCK = /^\s*PRAGMA\s+(main\.)?locking_mode\s*=\s*EXCLUSIVE\s*;?\s*$/i;

/** Raised when another process held the write lock for longer than the migrator waits. */
export class MigrationLockTimeout extends Error {
  override name = 'MigrationLockTimeout';
}

export interface SqliteMigrationLock {
  /** The locked connection, for the schema engine (its exclusive-mode request is a no-op). */
  adapter: SqlDriverAdapter;
  /** Commits what the engine did, which releases the lock. */
  commit(): Promise<void>;
  /** Rolls back unless committed; safe to call more than once. */
  release(): Promise<void>;
}

const statement = (sql: string) => ({ sql, args: [], argTypes: [] });

/** The adapter's SQLITE_BUSY (a DriverAdapterError of its own copy of the utils package, so no instanceof). */
function isBusy(error: unknown): boolean {
  const cause = (error as { cause?: { kind?: unknown; originalCode?: unknown } } | null)?.cause;
  return cause?.kind === 'SocketTimeout' || (typeof cause?.originalCode === 'string' && cause.originalCode.startsWith('SQLITE_BUSY'));
}

/**
 * Switches a new file to WAL (a no-op once it is). SQLite refuses the switch at once, without
 * waiting, while another connection holds a rollback-journal write lock (two processes on a
 * fresh file), so it is retried until `deadline`.
 */
async function switchToWal(adapter: SqlDriverAdapter, deadline: number): Promise<void> {
  for (let pauseMs = 5; ; pauseMs = Math.min(pauseMs * 2, 100)) {
    try {
      await adapter.queryRaw(statement('PRAGMA journal_mode = WAL'));
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
    }
    await delay(pauseMs);
  }
}

/**
 * Takes the lock on a fresh connection to the file (whose busy timeout is how long to wait
 * for it). Foreign keys are switched off first: SQLite ignores `PRAGMA foreign_keys` inside a
 * transaction, and the table rebuilds Prisma writes (DROP TABLE of a referenced table) count
 * on that pragma to keep ON DELETE CASCADE from emptying the tables that point at it.
 */
export async function lockForMigrations(adapter: SqlDriverAdapter, file: string, waitMs: number): Promise<SqliteMigrationLock> {
  let open = false;
  try {
    await switchToWal(adapter, Date.now() + waitMs);
    await adapter.queryRaw(statement('PRAGMA foreign_keys = OFF'));
    await adapter.executeRaw(statement('BEGIN IMMEDIATE'));
    open = true;
  } catch (error) {
    await adapter.dispose();
    if (!isBusy(error)) throw error;
    throw new MigrationLockTimeout(
      `Another process kept ${file} locked for writing for more than ${waitMs / 1000} s (another migration, or a long write); migrations were not applied. Try again.`,
    );
  }
  dropEngineLock(adapter);

  const finish = async (sql: 'COMMIT' | 'ROLLBACK') => {
    if (!open) return;
    open = false;
    await adapter.executeRaw(statement(sql));
  };
  return { adapter, commit: () => finish('COMMIT'), release: () => finish('ROLLBACK') };
}

/** Makes the engine's exclusive-locking request a no-op, whichever way it is sent. */
function dropEngineLock(adapter: SqlDriverAdapter): void {
  const { executeScript, executeRaw, queryRaw } = adapter;
  adapter.executeScript = async (script) => (ENGINE_LOCK.test(script) ? undefined : executeScript.call(adapter, script));
  adapter.executeRaw = async (query) => (ENGINE_LOCK.test(query.sql) ? 0 : executeRaw.call(adapter, query));
  adapter.queryRaw = async (query) =>
    ENGINE_LOCK.test(query.sql) ? { columnNames: [], columnTypes: [], rows: [] } : queryRaw.call(adapter, query);
}
