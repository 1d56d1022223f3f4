/**
 * Databases for benchmarked servers: a migrated SQLite template copied per server, a
 * PostgreSQL template database cloned per server, and direct SQL seeding of the SQLite
 * copy (sessions, participants, stored messages) for set-ups too large to build through the API.
 */
import { accessSync, constants, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { applyMigrations } from '../../src/db/migrations.ts';
import { postgresUrlFor as postgresUrlForAdmin, withPostgresAdmin } from '../../test/support/postgres.ts';

/** PostgreSQL admin URL (BENCH_POSTGRES_URL, default the local trust server). */
export const postgresAdminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface FreshDatabase {
  url: string;
  /** The SQLite file (null for PostgreSQL). */
  file: string | null;
  dataDir: string;
  drop(): Promise<void>;
}

/**
 * Where the benchmark's databases keep their data. By default they do not wait for this
 * machine's disk: SQLite files live on tmpfs (/dev/shm) and PostgreSQL databases commit with
 * `synchronous_commit = off`, so S1's tail is the server's, not how fast a shared virtual disk
 * syncs that minute (two runs disagreed on S1's p99 through that alone; docs/performance.md).
 * `--on-disk` keeps both on the disk (the OS temporary folder, durable commits).
 */
export interface Storage {
  onDisk: boolean;
  /** The folder SQLite files and data dirs are created in. */
  folder: string;
}

/** The tmpfs the databases use when it is there. */
export const TMPFS_FOLDER = '/dev/shm';

let storage: Storage | undefined;

export function configureStorage(onDisk: boolean): Storage {
  let folder = tmpdir();
  if (!onDisk) {
    try {
      accessSync(TMPFS_FOLDER, constants.W_OK);
      folder = TMPFS_FOLDER;
    } catch {
      // no tmpfs here: the OS temporary folder
    }
  }
  storage = { onDisk, folder };
  return storage;
}

const currentStorage = (): Storage => storage ?? configureStorage(false);

let workDir: string | undefined;
let sqliteTemplate: Promise<string> | undefined;
let postgresTemplate: Promise<string> | undefined;

function runDir(): string {
  workDir ??= mkdtempSync(join(currentStorage().folder, 'chat-bench-'));
  return workDir;
}

/** A migrated SQLite file the next server can own. */
export async function freshSqlite(): Promise<FreshDatabase> {
  sqliteTemplate ??= (async () => {
    const file = join(runDir(), 'template.db');
    await applyMigrations({ provider: 'sqlite', url: `file:${file}` });
    return file;
  })();
  const template = await sqliteTemplate;
  const dataDir = mkdtempSync(join(runDir(), 'db-'));
  const file = join(dataDir, 'chat.db');
  copyFileSync(template, file);
  return { url: `file:${file}`, file, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

const withAdmin = <T>(work: (client: pg.Client) => Promise<T>) => withPostgresAdmin(work, postgresAdminUrl);
const postgresUrlFor = (name: string) => postgresUrlForAdmin(name, postgresAdminUrl);

const uniqueName = (prefix: string) => `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;

/** Whether the PostgreSQL server answers. */
export async function postgresReachable(): Promise<boolean> {
  try {
    await withAdmin((client) => client.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}

/** A database of its own on the PostgreSQL server, cloned from a migrated template. */
export async function freshPostgres(): Promise<FreshDatabase> {
  postgresTemplate ??= (async () => {
    const name = uniqueName('chat_bench_tpl');
    await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
    await applyMigrations({ provider: 'postgresql', url: postgresUrlFor(name) });
    return name;
  })();
  const template = await postgresTemplate;
  const name = uniqueName('chat_bench');
  await withAdmin(async (client) => {
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    // A database's own settings are not copied from its template, so each one gets it here.
    if (!currentStorage().onDisk) await client.query(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
  });
  const dataDir = mkdtempSync(join(runDir(), 'pg-'));
  return {
    url: postgresUrlFor(name),
    file: null,
    dataDir,
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** Removes the templates and the run's temporary folder. */
export async function dropTemplates(): Promise<void> {
  if (postgresTemplate) {
    const name = await postgresTemplate.catch(() => null);
    postgresTemplate = undefined;
    if (name) await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(() => {});
  }
  sqliteTemplate = undefined;
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

export interface SeedSession {
  id: string;
  ownerId: string;
  participantIds: readonly string[];
  /** Stored messages to create (seq 1..n, authored by the owner). */
  messages?: number;
}

/** Prisma's SQLite adapter stores DateTime as ISO-8601 text with an explicit offset. */
const sqliteTime = (date: Date) => date.toISOString().replace('Z', '+00:00');

/** Writes sessions, participants and messages straight into a SQLite file (no server running on it). */
export function seedSqlite(file: string, sessions: readonly SeedSession[]): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    const insertSession = db.prepare(
      'INSERT INTO "ChatSession" (id, title, ownerId, createdAt, lastActivityAt, messageCount, lastSeq) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const insertParticipant = db.prepare('INSERT INTO "SessionParticipant" (sessionId, userId, joinedAt) VALUES (?, ?, ?)');
    const insertMessage = db.prepare(
      'INSERT INTO "ConversationMessage" (id, sessionId, seq, role, content, metadata, timestamp, authorId) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)',
    );
    const base = Date.now() - 86_400_000;
    db.transaction(() => {
      for (const session of sessions) {
        const count = session.messages ?? 0;
        const created = sqliteTime(new Date(base));
        insertSession.run(session.id, 'bench', session.ownerId, created, sqliteTime(new Date(base + count)), count, count);
        for (const userId of new Set([session.ownerId, ...session.participantIds])) insertParticipant.run(session.id, userId, created);
        for (let seq = 1; seq <= count; seq++) {
          insertMessage.run(
            `${session.id}-m${seq}`,
            session.id,
            seq,
            'USER',
            `stored message number ${seq} of the benchmark history`,
            sqliteTime(new Date(base + seq)),
            session.ownerId,
          );
        }
      }
    })();
  } finally {
    db.close();
  }
}

/** Writes sessions, participants and messages straight into a PostgreSQL database (no server writing to it yet). */
export async function seedPostgres(url: string, sessions: readonly SeedSession[]): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const session of sessions) {
      const count = session.messages ?? 0;
      await client.query('INSERT INTO "ChatSession" (id, title, "ownerId", "messageCount", "lastSeq") VALUES ($1, $2, $3, $4, $4)', [
        session.id,
        'bench',
        session.ownerId,
        count,
      ]);
      await client.query('INSERT INTO "SessionParticipant" ("sessionId", "userId") SELECT $1, unnest($2::text[])', [
        session.id,
        [...new Set([session.ownerId, ...session.participantIds])],
      ]);
      await client.query(
        `INSERT INTO "ConversationMessage" (id, "sessionId", seq, role, content, "authorId")
         SELECT $1 || '-m' || n, $1, n, 'USER', 'stored message number ' || n || ' of the benchmark history', $2 FROM generate_series(1, $3::int) AS n`,
        [session.id, session.ownerId, count],
      );
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

/** Seeds whichever database it is. */
export async function seedDatabase(database: FreshDatabase, sessions: readonly SeedSession[]): Promise<void> {
  if (database.file) seedSqlite(database.file, sessions);
  else await seedPostgres(database.url, sessions);
}

export interface WriteCheck {
  /** Commits by other connections seen by PRAGMA data_version (0 or 1: changed or not). */
  commits: number;
  messagesDelta: number;
  messageCountDelta: number;
  lastActivityChanged: boolean;
}

/**
 * Watches a SQLite file for writes by the server: PRAGMA data_version on one connection
 * kept open for the window changes whenever another connection commits; row counts and
 * the newest lastActivityAt back it up.
 */
export function watchSqliteWrites(file: string): { finish(): WriteCheck } {
  const db = new Database(file, { readonly: true });
  const read = () => ({
    dataVersion: db.pragma('data_version', { simple: true }) as number,
    messages: (db.prepare('SELECT count(*) AS n FROM "ConversationMessage"').get() as { n: number }).n,
    messageCount: (db.prepare('SELECT total(messageCount) AS n FROM "ChatSession"').get() as { n: number }).n,
    lastActivity: (db.prepare('SELECT max(lastActivityAt) AS t FROM "ChatSession"').get() as { t: string | null }).t ?? '',
  });
  const before = read();
  return {
    finish() {
      try {
        const after = read();
        return {
          commits: after.dataVersion === before.dataVersion ? 0 : 1,
          messagesDelta: after.messages - before.messages,
          messageCountDelta: after.messageCount - before.messageCount,
          lastActivityChanged: after.lastActivity !== before.lastActivity,
        };
      } finally {
        db.close();
      }
    },
  };
}
