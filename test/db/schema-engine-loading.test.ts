/**
 * The WebAssembly schema engine (~12 MB that is never returned) is loaded only when a
 * migration is pending: a start on an up-to-date database reads `_prisma_migrations` with
 * one plain query and skips it; a start on an empty database still applies every migration.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAdapterFactory, type DatabaseTarget } from '../../src/db/database-target.ts';
import { readMigrations } from '../../src/db/migrations.ts';
import { migrationsUpToDate } from '../../src/db/pending-migrations.ts';
import { modulesLoadedByServer } from '../support/module-probe.ts';
import { createDatabaseFromTemplate, dropDatabase, postgresUrlFor } from '../support/postgres.ts';
import { freshDatabase, testedProviders } from '../support/server.ts';

const schemaEngine = (module: string) =>
  /[\\/]node_modules[\\/]@prisma[\\/]schema-engine-wasm[\\/]|[\\/]db[\\/]schema-engine\.(ts|js)$/.test(module);

type Provider = 'sqlite' | 'postgresql';
interface Database {
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

/** A database with no tables at all (the migrated template is what freshDatabase gives). */
async function emptyDatabase(provider: Provider): Promise<Database> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-engine-'));
  if (provider === 'sqlite')
    return { url: `file:${join(dataDir, 'empty.db')}`, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  const name = await createDatabaseFromTemplate('template0', 'chat_engine');
  return {
    url: postgresUrlFor(name),
    dataDir,
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase(name);
    },
  };
}

const names = (provider: Provider) => readMigrations(provider).migrationDirectories.map((d) => d.path);

async function execute(target: DatabaseTarget, sql: string): Promise<void> {
  const adapter = await createAdapterFactory(target).connect();
  try {
    await adapter.executeRaw({ sql, args: [], argTypes: [] });
  } finally {
    await adapter.dispose();
  }
}

describe.each(testedProviders())('schema engine loading on %s', (provider) => {
  it('a start on an up-to-date database does not load the schema engine', async () => {
    const database = await freshDatabase(provider);
    try {
      const modules = await modulesLoadedByServer(database);
      expect(modules.filter(schemaEngine)).toEqual([]);
    } finally {
      await database.drop();
    }
  }, 60_000);

  it('a start on an empty database loads the engine and applies every migration', async () => {
    const database = await emptyDatabase(provider);
    try {
      const modules = await modulesLoadedByServer(database);
      expect(modules.some(schemaEngine)).toBe(true);
      expect(await migrationsUpToDate({ provider, url: database.url }, names(provider))).toBe(true);
    } finally {
      await database.drop();
    }
  }, 60_000);

  it('the history check: missing table, a folder not recorded, or an unfinished attempt means pending', async () => {
    const empty = await emptyDatabase(provider);
    const migrated = await freshDatabase(provider);
    try {
      expect(await migrationsUpToDate({ provider, url: empty.url }, names(provider))).toBe(false);
      const target: DatabaseTarget = { provider, url: migrated.url };
      expect(await migrationsUpToDate(target, names(provider))).toBe(true);
      expect(await migrationsUpToDate(target, [...names(provider), '99990101000000_not_yet_applied'])).toBe(false);
      // A failed attempt (or one another process is applying now) leaves finished_at empty.
      const now = provider === 'sqlite' ? `'2026-01-01 00:00:00'` : 'now()';
      await execute(
        target,
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('attempt', 'x', '99990101000000_failed', ${now}, 0)`,
      );
      expect(await migrationsUpToDate(target, names(provider))).toBe(false);
    } finally {
      await empty.drop();
      await migrated.drop();
    }
  }, 60_000);
});
