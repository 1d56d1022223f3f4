/**
 * Several processes on one SQLite file, as the README promises: two `npm start`s on other
 * ports, `npm run db:migrate` beside a running server, and two servers starting at once
 * on a fresh file. Every process is real (its own connections to the file).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readMigrations } from '../../src/db/migrations.ts';
import { CreateSessionDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { expectCodedError } from '../support/coded-errors.ts';
import { dataOf, graphql, type GraphQLResponse } from '../support/graphql-client.ts';
import { runMigrations, sqliteFile, startServerProcess, type ServerProcess, type SqliteFile } from '../support/sqlite-processes.ts';
import { mintToken } from '../support/tokens.ts';

const noLimits = { MESSAGES_PER_MINUTE: '0' };

describe('several processes on one SQLite file', () => {
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
    const server = await startServerProcess(file);
    servers.push(server);
    return server;
  };

  async function createSession(server: ServerProcess, owner: string): Promise<string> {
    const response = await graphql(server.graphqlUrl, CreateSessionDocument, { input: { title: 'shared file' } }, { token: await mintToken(owner) });
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
    const first = await start(file);
    const second = await start(file);
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

    const migrate = runMigrations(file);
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
    expect(await stored(file, sessionId)).toEqual({ messageCount: responses.length + 1, lastSeq: responses.length + 1, rows: responses.length + 1 });
  });

  it('starts two servers at the same moment on a fresh file: both come up and the migrations are applied once', async () => {
    const file = await newFile('empty', { LOG_LEVEL: 'info' });
    const started = await Promise.allSettled([startServerProcess(file), startServerProcess(file)]);
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    expect(started.map((result) => (result.status === 'rejected' ? String(result.reason) : 'up'))).toEqual(['up', 'up']);
    const [first, second] = servers as [ServerProcess, ServerProcess];

    const names = readMigrations('sqlite').migrationDirectories.map((migration) => migration.path);
    const recorded = await file.rows('SELECT migration_name, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name');
    expect(recorded.map((row) => row.migration_name)).toEqual(names);
    expect(recorded.every((row) => row.finished_at !== null && row.rolled_back_at === null)).toBe(true);
    const appliers = servers.filter((server) => /"applied migrations"/.test(server.command.output));
    expect(appliers).toHaveLength(1);

    const owner = uniqueUser('owner');
    const sessionId = await createSession(first, owner);
    expect(dataOf(await send(second, owner, sessionId, 'hello')).sendMessage.seq).toBe(1);
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
});
