/**
 * Several processes on one SQLite file, as the README promises: two `npm start`s on other
 * ports, `npm run db:migrate` beside a running server, and two servers starting at once
 * on a fresh file. Every process is real (its own connections to the file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, readMigrations } from '../../src/db/migrations.ts';
import { MigrationLockTimeout } from '../../src/db/sqlite-migration-lock.ts';
import { CreateSessionDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { expectCodedError } from '../support/coded-errors.ts';
import { dataOf, graphql, type GraphQLResponse } from '../support/graphql-client.ts';
import { runMigrations, startServerProcess, startWaitingMigrator, type ServerProcess } from '../support/server-process.ts';
import { sqliteFile, type SqliteFile } from '../support/sqlite-processes.ts';
import { createDatabaseFromTemplate, dropDatabase, postgresUrlFor } from '../support/postgres.ts';
import { testedProviders } from '../support/server.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';

const noLimits = { MESSAGES_PER_MINUTE: '0' };

// Each test starts server processes (each ~2 s alone, 8–10 s on a loaded machine): more time than the default.
describe('several processes on one SQLite file', { timeout: 90_000 }, () => {
  const files: SqliteFile[] = [];
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    for (const file of files.splice(0)) file.remove();
  });
  const newFile = async (contents: 'empty' | 'served', env: Record<string, string> = {}) => {
    const file = await sqliteFile(contents, { ...noLimits, ...env });
    files.push(file);
    return file;
  };
  const start = async (file: SqliteFile) => {
    const server = await startServerProcess(file.env);
    servers.push(server);
    return server;
  };

  async function createSession(server: ServerProcess, owner: string): Promise<string> {
    const response = await graphql(
      server.graphqlUrl,
      CreateSessionDocument,
      { input: { title: 'shared file' } },
      { token: await mintToken(owner) },
    );
    return dataOf(response).createSession.id;
  }
  const send = async (server: ServerProcess, owner: string, sessionId: string, content: string) =>
    graphql(server.graphqlUrl, SendMessageDocument, { sessionId, input: { content } }, { token: await mintToken(owner) });
  const seqsOf = (responses: GraphQLResponse<{ sendMessage: { seq: number } }>[]) =>
    responses.map((response) => dataOf(response).sendMessage.seq).sort((a, b) => a - b);

  /** The session's counters and its stored rows, read from the file itself. */
  async function stored(file: SqliteFile, sessionId: string) {
    const [session] = await file.rows(`SELECT messageCount, lastSeq FROM ChatSession WHERE id = '${sessionId}'`);
    const [rows] = await file.rows(`SELECT count(*) AS n FROM ConversationMessage WHERE sessionId = '${sessionId}'`);
    return { messageCount: Number(session?.messageCount), lastSeq: Number(session?.lastSeq), rows: Number(rows?.n) };
  }

  it('runs two servers on the file, both answering: 100 parallel sends split across them are all stored, seq 1..100', async () => {
    const file = await newFile('served');
    const [first, second] = await Promise.all([start(file), start(file)]);
    const owner = uniqueUser('owner');
    const sessionId = await createSession(second, owner);

    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => send(i % 2 ? second : first, owner, sessionId, `m${i}`)));

    expect(responses.filter((response) => response.errors).map((response) => response.errors)).toEqual([]);
    expect(seqsOf(responses)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(await stored(file, sessionId)).toEqual({ messageCount: 100, lastSeq: 100, rows: 100 });
  });

  it('runs `npm run db:migrate` beside a server that is being written to: it succeeds and every write is answered', async () => {
    const file = await newFile('served');
    const server = await start(file);
    const owner = uniqueUser('owner');
    const sessionId = await createSession(server, owner);
    const responses: GraphQLResponse<{ sendMessage: { seq: number } }>[] = [];
    let writing = true;
    let firstAnswer: () => void = () => {};
    const underWay = new Promise<void>((resolve) => (firstAnswer = resolve));
    const writer = async (id: number) => {
      for (let i = 0; writing; i++) {
        responses.push(await send(server, owner, sessionId, `w${id}-${i}`));
        firstAnswer();
      }
    };
    const writers = [0, 1, 2].map(writer);
    await underWay;

    const migrate = runMigrations(file.env);
    const answeredBefore = responses.length;
    const exitCode = await migrate.exited;
    const answeredWhileMigrating = responses.length - answeredBefore;
    writing = false;
    await Promise.all(writers);

    expect({ exitCode, output: migrate.output }).toEqual({ exitCode: 0, output: expect.stringMatching(/database is up to date/) });
    expect(answeredWhileMigrating).toBeGreaterThan(0);
    expect(responses.filter((response) => response.errors).map((response) => response.errors)).toEqual([]);
    // Still serving afterwards, with the next seq.
    const after = await send(server, owner, sessionId, 'after');
    expect(dataOf(after).sendMessage.seq).toBe(responses.length + 1);
    expect(seqsOf(responses)).toEqual(Array.from({ length: responses.length }, (_, i) => i + 1));
    expect(await stored(file, sessionId)).toEqual({
      messageCount: responses.length + 1,
      lastSeq: responses.length + 1,
      rows: responses.length + 1,
    });
  });

  it('starts two servers at the same moment on a fresh file: both come up and the migrations are applied once', async () => {
    const file = await newFile('empty', { LOG_LEVEL: 'info' });
    const started = await Promise.allSettled([startServerProcess(file.env), startServerProcess(file.env)]);
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    expect(started.map((result) => (result.status === 'rejected' ? String(result.reason) : 'up'))).toEqual(['up', 'up']);
    const [first, second] = servers as [ServerProcess, ServerProcess];

    const names = readMigrations('sqlite').migrationDirectories.map((migration) => migration.path);
    const recorded = await file.rows(
      'SELECT migration_name, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(recorded.map((row) => row.migration_name)).toEqual(names);
    expect(recorded.every((row) => row.finished_at !== null && row.rolled_back_at === null)).toBe(true);
    const appliers = servers.filter((server) => /"applied migrations"/.test(server.command.output));
    expect(appliers).toHaveLength(1);

    const owner = uniqueUser('owner');
    const sessionId = await createSession(first, owner);
    expect(dataOf(await send(second, owner, sessionId, 'hello')).sendMessage.seq).toBe(1);
  });

  it('releases four migrators on a fresh file at the same instant: one applies the migrations, the others find none left', async () => {
    const file = await newFile('empty');
    const migrators = await Promise.all(Array.from({ length: 4 }, () => startWaitingMigrator(file.env)));
    for (const migrator of migrators) migrator.release();
    const applied = await Promise.all(migrators.map((migrator) => migrator.applied()));

    const names = readMigrations('sqlite').migrationDirectories.map((migration) => migration.path);
    expect(applied.filter((list) => list.length > 0)).toEqual([names]);
    const recorded = await file.rows('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name');
    expect(recorded.map((row) => row.migration_name)).toEqual(names);
    expect(recorded.every((row) => row.finished_at !== null && row.rolled_back_at === null)).toBe(true);
  });

  it('answers SERVICE_UNAVAILABLE when another process holds the write lock past the busy timeout, and stores nothing', async () => {
    const file = await newFile('served');
    const server = await start(file);
    const owner = uniqueUser('owner');
    const sessionId = await createSession(server, owner);
    const holder = await file.connect();
    let response: GraphQLResponse<unknown>;
    try {
      await holder.executeRaw({ sql: 'BEGIN IMMEDIATE', args: [], argTypes: [] });
      response = await send(server, owner, sessionId, 'blocked');
    } finally {
      await holder.executeRaw({ sql: 'ROLLBACK', args: [], argTypes: [] });
      await holder.dispose();
    }
    expectCodedError(response, 'SERVICE_UNAVAILABLE');
    expect(await stored(file, sessionId)).toEqual({ messageCount: 0, lastSeq: 0, rows: 0 });
    expect(dataOf(await send(server, owner, sessionId, 'free again')).sendMessage.seq).toBe(1);
  });

  it('refuses to migrate (empty file) with a clear message while another process keeps it locked for writing, and changes nothing', async () => {
    const file = await newFile('empty');
    const target = { provider: 'sqlite' as const, url: file.env.DATABASE_URL as string };
    const snapshot = () => file.rows('SELECT type, name, sql FROM sqlite_master ORDER BY name');
    const before = await snapshot();
    const refused = await whileLockedForWriting(file, () =>
      applyMigrations(target, { sqliteLockWaitMs: 300 }).catch((error: unknown) => error),
    );
    expect(refused).toBeInstanceOf(MigrationLockTimeout);
    expect(String(refused)).toMatch(/kept .*chat\.db locked for writing for more than 0\.3 s .*migrations were not applied/);
    expect(await snapshot()).toEqual(before);
    const names = readMigrations('sqlite').migrationDirectories.map((migration) => migration.path);
    expect(await applyMigrations(target)).toEqual(names);
  });

  // Nothing is pending, so the migration lock is not needed: a start does not wait for (or
  // fail on) another process's long write, and the schema engine is not loaded.
  it('finds nothing to migrate on a served file even while another process keeps it locked for writing', async () => {
    const file = await newFile('served');
    const target = { provider: 'sqlite' as const, url: file.env.DATABASE_URL as string };
    const snapshot = () => file.rows('SELECT type, name, sql FROM sqlite_master ORDER BY name');
    const before = await snapshot();
    expect(await whileLockedForWriting(file, () => applyMigrations(target, { sqliteLockWaitMs: 300 }))).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });
});

/** Runs `work` while another connection holds the file's write lock (BEGIN IMMEDIATE). */
async function whileLockedForWriting<T>(file: { connect(): Promise<SqlDriverAdapter> }, work: () => Promise<T>): Promise<T> {
  const holder = await file.connect();
  try {
    await holder.executeRaw({ sql: 'BEGIN IMMEDIATE', args: [], argTypes: [] });
    return await work();
  } finally {
    await holder.executeRaw({ sql: 'ROLLBACK', args: [], argTypes: [] });
    await holder.dispose();
  }
}

// The same start-up race where the schema engine's own lock (an advisory lock) is in charge.
describe.runIf(testedProviders().includes('postgresql'))('two servers starting at once on an empty PostgreSQL database', () => {
  it('both come up and the migrations are applied once', async () => {
    const name = await createDatabaseFromTemplate('template0', 'chat_multi');
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-multi-'));
    const env = { DATABASE_URL: postgresUrlFor(name), DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info', ...noLimits };
    const started = await Promise.allSettled([startServerProcess(env), startServerProcess(env)]);
    const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    try {
      expect(started.map((result) => (result.status === 'rejected' ? String(result.reason) : 'up'))).toEqual(['up', 'up']);
      const client = new pg.Client({ connectionString: env.DATABASE_URL });
      await client.connect();
      const recorded = await client
        .query<{ migration_name: string }>(
          'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
        )
        .finally(() => client.end());
      expect(recorded.rows.map((row) => row.migration_name)).toEqual(
        readMigrations('postgresql').migrationDirectories.map((migration) => migration.path),
      );
      expect(servers.filter((server) => /"applied migrations"/.test(server.command.output))).toHaveLength(1);
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
      rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase(name);
    }
  });
});
