/**
 * Applies and creates Prisma migrations through the WebAssembly schema engine.
 * Migration folders are the ordinary `prisma/<provider>/migrations/<timestamp>_<name>/migration.sql`
 * layout, recorded in `_prisma_migrations`, so `prisma migrate deploy` accepts them elsewhere.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { DiffParams, MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';
import {
  createAdapterFactory,
  ensureDatabaseLocation,
  sqliteFilePath,
  type DatabaseProvider,
  type DatabaseTarget,
} from './database-target.ts';
import { migrationsUpToDate } from './pending-migrations.ts';
import type { SchemaEngine } from './schema-engine.ts';
import { lockForMigrations } from './sqlite-migration-lock.ts';

const prismaDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'prisma');
const noFilters = { externalTables: [], externalEnums: [] };

export function migrationsDir(provider: DatabaseProvider): string {
  return join(prismaDir, provider, 'migrations');
}

/** Reads the provider's migration folders from disk, oldest first. */
export function readMigrations(provider: DatabaseProvider): MigrationList {
  const baseDir = migrationsDir(provider);
  const lockPath = join(baseDir, 'migration_lock.toml');
  const names = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: readFileSync(join(baseDir, name, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

export interface MigrationOptions {
  /**
   * SQLite: how long to wait for the write lock held by another migrator or a server's
   * write before failing with MigrationLockTimeout (default 30 000 ms).
   */
  sqliteLockWaitMs?: number;
}

/**
 * Runs `work` with a schema engine connected to the target. On SQLite the engine's
 * connection holds the migration lock (see sqlite-migration-lock.ts), committed when `work`
 * succeeds; PostgreSQL's engine takes an advisory lock itself. Every adapter the engine
 * opens is disposed afterwards (engine.free() does not close them).
 */
async function withSchemaEngine<T>(
  target: DatabaseTarget,
  schemaText: string,
  work: (engine: SchemaEngine) => Promise<T>,
  { sqliteLockWaitMs = 30_000 }: MigrationOptions = {},
): Promise<T> {
  ensureDatabaseLocation(target);
  const factory = createAdapterFactory(target, { sqliteBusyTimeoutMs: sqliteLockWaitMs });
  const lock =
    target.provider === 'sqlite'
      ? await lockForMigrations(await factory.connect(), sqliteFilePath(target.url), sqliteLockWaitMs)
      : undefined;
  const opened: SqlDriverAdapter[] = lock ? [lock.adapter] : [];
  let locked = lock?.adapter;
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      // The engine's connection to the database is the one holding the lock.
      const adapter = locked ?? (await factory.connect());
      locked = undefined;
      if (!opened.includes(adapter)) opened.push(adapter);
      return adapter;
    },
    connectToShadowDb: async () => {
      const adapter = await connectShadow(target);
      opened.push(adapter);
      return adapter;
    },
  };
  try {
    // Imported here, not at the top: a start with nothing to migrate never loads the engine.
    const { loadSchemaEngine } = await import('./schema-engine.ts');
    const SchemaEngineClass = await loadSchemaEngine();
    const engine = await SchemaEngineClass.new(
      { datamodels: [['schema.prisma', schemaText]] },
      () => {},
      bindMigrationAwareSqlAdapterFactory(tracking),
    );
    try {
      const result = await work(engine);
      await lock?.commit();
      return result;
    } finally {
      engine.free();
    }
  } finally {
    await lock?.release();
    await Promise.all(opened.map((adapter) => adapter.dispose()));
  }
}

/**
 * A throwaway database for diffing migration history: a temporary SQLite file, or a
 * fresh PostgreSQL database on the same server, dropped when the adapter is disposed.
 * (The adapters' own shadow databases fail here: SQLite's in-memory one cannot hold the
 * history, and PostgreSQL's is dropped while its pool is still connected.)
 */
async function connectShadow(target: DatabaseTarget): Promise<SqlDriverAdapter> {
  if (target.provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'chat-shadow-'));
    const adapter = await createAdapterFactory({ provider: 'sqlite', url: `file:${join(dir, 'shadow.db')}` }).connect();
    // The engine replays each migration on the shadow as one executeRaw call, which
    // better-sqlite3 refuses for several statements: run such scripts as scripts.
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query) => {
      if (query.args.length > 0 || !/;\s*\S/.test(query.sql)) return executeRaw(query);
      await adapter.executeScript(query.sql);
      return 0;
    };
    return withCleanup(adapter, async () => rmSync(dir, { recursive: true, force: true }));
  }
  const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: target.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(target.url);
  url.pathname = `/${name}`;
  const adapter = await createAdapterFactory({ provider: 'postgresql', url: url.toString() }).connect();
  return withCleanup(adapter, async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });
}

function withCleanup(adapter: SqlDriverAdapter, cleanup: () => Promise<void>): SqlDriverAdapter {
  const dispose = adapter.dispose.bind(adapter);
  let disposed: Promise<void> | undefined;
  // The engine disposes shadow adapters itself; withSchemaEngine does too, so run once.
  adapter.dispose = () => {
    disposed ??= dispose().then(cleanup);
    return disposed;
  };
  return adapter;
}

function datasourceOnly(provider: DatabaseProvider): string {
  return `datasource db {\n  provider = "${provider}"\n}\n`;
}

/**
 * Applies pending migrations; returns the names of those it applied (empty when up to date).
 * Safe to run from several processes at once: one applies, the others wait and find none left.
 * When the history already records every folder, the schema engine is not loaded at all.
 */
export async function applyMigrations(target: DatabaseTarget, options: MigrationOptions = {}): Promise<string[]> {
  const migrationsList = readMigrations(target.provider);
  const names = migrationsList.migrationDirectories.map((d) => d.path);
  if (await migrationsUpToDate(target, names)) return [];
  return withSchemaEngine(
    target,
    datasourceOnly(target.provider),
    async (engine) => (await engine.applyMigrations({ migrationsList, filters: noFilters })).appliedMigrationNames,
    options,
  );
}

/**
 * The datamodel the provider's latest migration was generated from. PostgreSQL schemas
 * cannot be introspected through the WebAssembly engine and the pg adapter here, so
 * PostgreSQL migrations are diffed datamodel-to-datamodel against this snapshot.
 */
export function snapshotPath(provider: DatabaseProvider): string {
  return join(prismaDir, provider, 'last-migration.prisma');
}

const diffTo = (schemaText: string) => ({ tag: 'schemaDatamodel' as const, files: [{ path: 'schema.prisma', content: schemaText }] });

/**
 * The SQL that takes a database from the existing migrations to `schemaText` (what
 * `prisma migrate dev` would write), or an empty string when nothing changed. SQLite
 * replays the migration history on a shadow database; PostgreSQL starts from the
 * snapshot of the last migration's datamodel.
 */
export async function diffMigrations(target: DatabaseTarget, schemaText: string): Promise<string> {
  const migrationsList = readMigrations(target.provider);
  const snapshot = existsSync(snapshotPath(target.provider)) ? readFileSync(snapshotPath(target.provider), 'utf8') : null;
  return withSchemaEngine(target, schemaText, async (engine) => {
    let from: DiffParams['from'] = { tag: 'empty' };
    if (target.provider === 'postgresql' && snapshot) from = diffTo(snapshot);
    else if (target.provider === 'sqlite' && migrationsList.migrationDirectories.length > 0)
      from = { tag: 'migrations', ...migrationsList };
    const result = await engine.diff({ from, to: diffTo(schemaText), script: true, exitCode: null, filters: noFilters });
    const sql = result.stdout ?? '';
    return /^\s*(--[^\n]*\n\s*)*$/.test(sql) || sql.includes('This is an empty migration') ? '' : sql;
  });
}
