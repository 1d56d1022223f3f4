/**
 * Runs once per `vitest run`: migrates a template database per provider, so each test
 * server starts from a copy instead of re-running migrations.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../src/db/migrations.ts';
import { dropDatabase, postgresUrlFor, postgresWanted, withPostgresAdmin } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    sqliteTemplate: string;
    postgresTemplate: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-test-'));
  const sqliteTemplate = join(dir, 'template.db');
  await applyMigrations({ provider: 'sqlite', url: `file:${sqliteTemplate}` });
  project.provide('sqliteTemplate', sqliteTemplate);

  let postgresTemplate: string | null = null;
  if (postgresWanted()) {
    postgresTemplate = `chat_template_${process.pid}_${Date.now().toString(36)}`;
    try {
      await withPostgresAdmin((client) => client.query(`CREATE DATABASE "${postgresTemplate}"`));
    } catch (error) {
      throw new Error(`PostgreSQL tests are enabled (CI=true or TEST_POSTGRES_URL) but the server cannot be used: ${String(error)}`);
    }
    await applyMigrations({ provider: 'postgresql', url: postgresUrlFor(postgresTemplate) });
  }
  project.provide('postgresTemplate', postgresTemplate);

  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (postgresTemplate) await dropDatabase(postgresTemplate);
  };
}
