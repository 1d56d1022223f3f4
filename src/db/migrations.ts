/**
 * Applies and creates Prisma migrations through the WebAssembly schema engine.
 * Migration folders are the ordinary `prisma/<provider>/migrations/<timestamp>_<name>/migration.sql`
 * layout, recorded in `_prisma_migrations`, so `prisma migrate deploy` accepts them elsewhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { createAdapterFactory, ensureDatabaseLocation, type DatabaseProvider, type DatabaseTarget } from './database-target.ts';
import { loadSchemaEngine, type SchemaEngine } from './schema-engine.ts';

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
    ? readdirSync(baseDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
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

/**
 * Runs `work` with a schema engine connected to the target. The engine's SQLite
 * connection holds an exclusive lock until its adapter is disposed (engine.free() does
 * not release it), so every adapter it opens is disposed afterwards.
 */
async function withSchemaEngine<T>(
  target: DatabaseTarget,
  schemaText: string,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  ensureDatabaseLocation(target);
  const factory = createAdapterFactory(target);
  const opened: SqlDriverAdapter[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      opened.push(adapter);
      return adapter;
    },
    connectToShadowDb: async () => {
      const adapter = await factory.connectToShadowDb();
      opened.push(adapter);
      return adapter;
    },
  };
  const SchemaEngineClass = await loadSchemaEngine();
  const engine = await SchemaEngineClass.new(
    { datamodels: [['schema.prisma', schemaText]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(tracking),
  );
  try {
    return await work(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose()));
  }
}

function datasourceOnly(provider: DatabaseProvider): string {
  return `datasource db {\n  provider = "${provider}"\n}\n`;
}

/** Applies pending migrations; returns the names of those it applied (empty when up to date). */
export async function applyMigrations(target: DatabaseTarget): Promise<string[]> {
  const migrationsList = readMigrations(target.provider);
  return withSchemaEngine(target, datasourceOnly(target.provider), async (engine) => {
    const result = await engine.applyMigrations({ migrationsList, filters: noFilters });
    return result.appliedMigrationNames;
  });
}

/**
 * The SQL that takes a database from the existing migrations to `schemaText`
 * (what `prisma migrate dev` would write), or an empty string when nothing changed.
 */
export async function diffMigrations(target: DatabaseTarget, schemaText: string): Promise<string> {
  const migrationsList = readMigrations(target.provider);
  return withSchemaEngine(target, schemaText, async (engine) => {
    const from = migrationsList.migrationDirectories.length > 0
      ? { tag: 'migrations' as const, ...migrationsList }
      : { tag: 'empty' as const };
    const result = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schemaText }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    const sql = result.stdout ?? '';
    return /^\s*(--[^\n]*\n\s*)*$/.test(sql) || sql.includes('This is an empty migration') ? '' : sql;
  });
}
