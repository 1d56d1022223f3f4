/**
 * The database connection underneath a Prisma client's driver adapter, for the few hot
 * statements a repository runs itself (prepared once, one round trip; see
 * message.repository.ts). It is the adapter's own connection, not a second one: on SQLite
 * the one better-sqlite3 handle (whose writes and transactions Prisma's adapter serializes),
 * on PostgreSQL the adapter's pg pool (whose connections carry lock_timeout and
 * statement_timeout).
 */
import type pg from 'pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { createCommitBatch, type CommitBatch } from './sqlite-commit-batch.ts';

/** The slice of a better-sqlite3 statement the repositories use (the package ships no types). */
export interface SqliteStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** Integers as numbers (false) instead of the adapter's default BigInts. */
  safeIntegers(on: boolean): this;
  /** Rows as the first column's value. */
  pluck(on: boolean): this;
  /** Rows as arrays of values. */
  raw(on: boolean): this;
  columns(): { name: string; type: string | null }[];
}

/** The slice of a better-sqlite3 connection the repositories use. */
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  readonly inTransaction: boolean;
}

export type RawDriver =
  | {
      provider: 'sqlite';
      db: SqliteConnection;
      /** Where the repositories' own writes run: one transaction per turn (sqlite-commit-batch.ts). */
      commitBatch: CommitBatch;
    }
  | { provider: 'postgresql'; pool: pg.Pool };

/** Resolves once the client has connected (Prisma connects its adapter on first use). */
export type RawDriverSource = () => Promise<RawDriver>;

/**
 * Wraps an adapter factory so the connection it opens can be reached. Prisma calls
 * `connect()` once per client; `driver()` connects through `connectClient` when that has
 * not happened yet, and throws when the adapter's internals are not the expected ones
 * (an adapter upgrade that changed them must fail its tests, not fall back silently).
 */
export function exposeRawDriver(factory: SqlMigrationAwareDriverAdapterFactory): {
  factory: SqlMigrationAwareDriverAdapterFactory;
  driver(connectClient: () => Promise<void>): Promise<RawDriver>;
} {
  let captured: RawDriver | undefined;
  const wrapped: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = await factory.connect();
      captured = reach(adapter);
      if (captured.provider === 'sqlite') waitForBatches(adapter, captured.commitBatch);
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
  return {
    factory: wrapped,
    async driver(connectClient) {
      if (!captured) await connectClient();
      if (!captured) throw new Error('the Prisma client connected without its driver adapter');
      return captured;
    },
  };
}

function reach(adapter: SqlDriverAdapter): RawDriver {
  if (adapter.provider === 'sqlite') {
    const db = (adapter as unknown as { client?: Partial<SqliteConnection> }).client;
    if (typeof db?.prepare !== 'function' || typeof db.inTransaction !== 'boolean') {
      throw new Error('the better-sqlite3 adapter no longer exposes its connection as `client`');
    }
    return {
      provider: 'sqlite',
      db: db as SqliteConnection,
      commitBatch: createCommitBatch(db as SqliteConnection, async () => {
        const tx = await adapter.startTransaction();
        return { release: () => tx.commit() };
      }),
    };
  }
  const pool = (adapter as unknown as { underlyingDriver?: () => unknown }).underlyingDriver?.();
  // Checked by shape, not `instanceof pg.Pool`: importing pg here would load it on SQLite too.
  const candidate = pool as Partial<pg.Pool> | undefined;
  if (typeof candidate?.query !== 'function' || typeof candidate.connect !== 'function' || typeof candidate.totalCount !== 'number') {
    throw new Error('the pg adapter no longer exposes its pool through underlyingDriver()');
  }
  return { provider: 'postgresql', pool: pool as pg.Pool };
}

/**
 * Prisma's statements outside a transaction (its transactions have objects of their own) wait
 * while a batch of the repositories' writes is open on the connection, so none runs inside it:
 * checked again after each wait (a batch may open as the last one ends), and the statement
 * then runs synchronously, before any other batch can open.
 */
function waitForBatches(adapter: SqlDriverAdapter, batch: CommitBatch): void {
  const afterBatches = <T>(run: () => Promise<T>): Promise<T> => {
    const committed = batch.committed();
    return committed ? committed.then(() => afterBatches(run)) : run();
  };
  const queryRaw = adapter.queryRaw.bind(adapter);
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.queryRaw = (query) => afterBatches(() => queryRaw(query));
  adapter.executeRaw = (query) => afterBatches(() => executeRaw(query));
}
