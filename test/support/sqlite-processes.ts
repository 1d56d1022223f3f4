/**
 * Several real processes on one SQLite file: servers started as `npm start` does (from
 * source, through tsx) and the migration runner (`npm run db:migrate`), each with its own
 * connections, plus a direct read-only look at the file.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import { inject } from 'vitest';
import { createAdapterFactory } from '../../src/db/database-target.ts';
import { repoRoot } from './build.ts';
import { startCommand, waitForReady, type RunningCommand } from './command.ts';
import { freePort } from './ports.ts';
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

export interface ServerProcess {
  command: RunningCommand;
  url: string;
  graphqlUrl: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | string | null>;
}

/** Starts src/main.ts on a free port and resolves once it listens and /readyz answers 200. */
export async function startServerProcess(file: SqliteFile, timeoutMs = 30_000): Promise<ServerProcess> {
  const port = await freePort();
  const command = startCommand(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repoRoot,
    env: { ...file.env, PORT: String(port), HOST: '127.0.0.1' },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await command.waitForLine(/listening on/, timeoutMs);
    await waitForReady(url, timeoutMs);
  } catch (error) {
    command.child.kill('SIGKILL');
    throw error;
  }
  return {
    command,
    url,
    graphqlUrl: `${url}/graphql`,
    async stop() {
      if (command.child.exitCode === null && command.child.signalCode === null) command.child.kill('SIGTERM');
      return command.exited;
    },
  };
}

/** Runs the migration runner (scripts/migrate.ts, what `npm run db:migrate` runs) on the file. */
export function runMigrations(file: SqliteFile): RunningCommand {
  return startCommand(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { cwd: repoRoot, env: file.env });
}
