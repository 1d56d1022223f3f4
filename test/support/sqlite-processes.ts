/** A SQLite file for several processes (see server-process.ts), and a look at it from outside them all. */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import { inject } from 'vitest';
import { createAdapterFactory } from '../../src/db/database-target.ts';
import { TEST_JWT_SECRET } from './tokens.ts';

export interface SqliteFile {
  path: string;
  /** The environment every process on this file gets (DATABASE_URL, DATA_DIR, JWT_SECRET). */
  env: Record<string, string>;
  /** Rows of `sql`, as objects keyed by column, through a connection of its own. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** A connection of its own (the caller disposes it), to hold locks from outside every server. */
  connect(): Promise<SqlDriverAdapter>;
  remove(): void;
}

/**
 * A SQLite file in a new folder: `empty` (no file yet), or `served`: migrated and in WAL
 * mode, as a server leaves it after its first start.
 */
export async function sqliteFile(contents: 'empty' | 'served', env: Record<string, string> = {}): Promise<SqliteFile> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-multi-'));
  const path = join(dir, 'chat.db');
  const file: SqliteFile = {
    path,
    env: { DATABASE_URL: `file:${path}`, DATA_DIR: dir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'warn', ...env },
    connect: () => createAdapterFactory({ provider: 'sqlite', url: `file:${path}` }).connect(),
    async rows(sql) {
      const adapter = await createAdapterFactory({ provider: 'sqlite', url: `file:${path}` }).connect();
      try {
        const result = await adapter.queryRaw({ sql, args: [], argTypes: [] });
        return result.rows.map((row) => Object.fromEntries(result.columnNames.map((name, i) => [name, row[i]])));
      } finally {
        await adapter.dispose();
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  if (contents === 'served') {
    copyFileSync(inject('sqliteTemplate'), path);
    await file.rows('PRAGMA journal_mode = WAL');
  }
  return file;
}
