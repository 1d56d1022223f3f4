import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaFor } from '../../scripts/generate-prisma.ts';
import { applyMigrations, diffMigrations, readMigrations } from '../../src/db/migrations.ts';
import type { DatabaseTarget } from '../../src/db/database-target.ts';
import { createDatabaseFromTemplate, dropDatabase, postgresUrlFor, withPostgresAdmin } from '../support/postgres.ts';
import { testedProviders } from '../support/server.ts';

/** An empty database of the provider, and its cleanup. */
async function emptyDatabase(provider: 'sqlite' | 'postgresql'): Promise<{ target: DatabaseTarget; drop(): Promise<void> }> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'chat-migrate-'));
    return { target: { provider, url: `file:${join(dir, 'fresh.db')}` }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = await createDatabaseFromTemplate('template0', 'chat_migrate');
  return { target: { provider, url: postgresUrlFor(name) }, drop: () => dropDatabase(name) };
}

describe.each(testedProviders())('migrations on %s', (provider) => {
  it('apply to an empty database once, record themselves, and apply nothing the second time', async () => {
    const db = await emptyDatabase(provider);
    try {
      const names = readMigrations(provider).migrationDirectories.map((d) => d.path);
      expect(names.length).toBeGreaterThan(0);
      expect(await applyMigrations(db.target)).toEqual(names);
      expect(await applyMigrations(db.target)).toEqual([]);
      if (provider === 'postgresql') {
        const recorded = await withPostgresAdmin(async () => {
          const pg = await import('pg');
          const client = new pg.default.Client({ connectionString: db.target.url });
          await client.connect();
          try {
            return (await client.query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL')).rows.length;
          } finally {
            await client.end();
          }
        });
        expect(recorded).toBe(names.length);
      }
    } finally {
      await db.drop();
    }
  });

  it('match prisma/models.prisma (run `npm run db:migration -- <name>` after changing the models)', async () => {
    const db = await emptyDatabase(provider);
    try {
      expect(await diffMigrations(db.target, schemaFor(provider))).toBe('');
    } finally {
      await db.drop();
    }
  });
});
