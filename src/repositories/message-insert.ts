/**
 * The send's write, run on the driver connection under Prisma (raw-driver.ts) instead of
 * through Prisma's interactive transaction: claiming the next seq, bumping the session's
 * count and activity and inserting the message cost one round trip, with statements
 * prepared once. PostgreSQL runs it as one statement (a data-modifying CTE); SQLite as one
 * synchronous transaction of two statements, which no other JavaScript can interleave.
 *
 * The INSERT names its columns; every column it does not name takes its database default,
 * and `RETURNING *` reads the whole row back, each column converted by its declared type
 * to what Prisma returns for it (Date, parsed JSON, number, boolean), so columns added
 * later come back without a change here.
 */
import type pg from 'pg';
import { Prisma, type ConversationMessage, type MessageRole } from '../db/prisma-client.ts';
import type { RawDriver, SqliteStatement } from '../db/raw-driver.ts';

export interface MessageRow {
  id: string;
  sessionId: string;
  role: MessageRole;
  content: string;
  /** The metadata as JSON text, stored exactly so; null for none. */
  metadataJson: string | null;
  authorId: string;
  clientMessageId: string | null;
  timestamp: Date;
}

/** Thrown when the (sessionId, clientMessageId) pair is already taken: another send with that id won. */
export class DuplicateClientMessageId extends Error {
  override name = 'DuplicateClientMessageId';
}

/** Stores the message with the session's next seq; null (nothing written) when the session holds `maxMessages` or is gone. */
export type InsertMessage = (row: MessageRow, maxMessages: number) => Promise<ConversationMessage | null>;

export async function createInsertMessage(driver: RawDriver): Promise<InsertMessage> {
  if (driver.provider === 'sqlite') return sqliteInsert(driver);
  // pg is loaded only on PostgreSQL (its default type parsers are needed here).
  const { default: pgModule } = await import('pg');
  return postgresInsert(driver.pool, postgresTypes(pgModule.types));
}

const CLIENT_MESSAGE_ID_CONSTRAINT = 'ConversationMessage_sessionId_clientMessageId_key';

function postgresInsert(pool: pg.Pool, types: pg.CustomTypesConfig): InsertMessage {
  // A named statement is parsed and planned once per pooled connection, then reused.
  const text = `WITH claimed AS (
      UPDATE "ChatSession"
         SET "lastSeq" = "lastSeq" + 1, "messageCount" = "messageCount" + 1, "lastActivityAt" = $8
       WHERE "id" = $2 AND "messageCount" < $9
   RETURNING "lastSeq")
    INSERT INTO "ConversationMessage" ("id", "sessionId", "seq", "role", "content", "metadata", "timestamp", "authorId", "clientMessageId")
    SELECT $1, $2, claimed."lastSeq", $3::"MessageRole", $4, $5::jsonb, $8, $6, $7 FROM claimed
 RETURNING *`;
  // Renamed when the table's row type changed (see isStalePlan), so each connection prepares it again.
  let generation = 0;
  const run = (values: unknown[]) => pool.query({ name: `chat_insert_message_${generation}`, text, values, types });
  const translated = (error: unknown) => {
    const { code, constraint } = error as { code?: unknown; constraint?: unknown };
    return code === '23505' && constraint === CLIENT_MESSAGE_ID_CONSTRAINT ? new DuplicateClientMessageId('clientMessageId taken') : error;
  };
  return async (row, maxMessages) => {
    // UTC wall time without an offset: a timestamp(3) column would drop the offset pg adds to a Date.
    const stamp = row.timestamp.toISOString().slice(0, -1);
    const values = [row.id, row.sessionId, row.role, row.content, row.metadataJson, row.authorId, row.clientMessageId, stamp, maxMessages];
    let result: pg.QueryResult;
    try {
      result = await run(values);
    } catch (error) {
      if (!isStalePlan(error)) throw translated(error);
      // A migration changed the table under a statement prepared before it: prepare anew.
      generation += 1;
      try {
        result = await run(values);
      } catch (retried) {
        throw translated(retried);
      }
    }
    const stored = result.rows[0] as Record<string, unknown> | undefined;
    return stored ? inModelOrder(stored) : null;
  };
}

/** The message's fields in the order Prisma returns them (the model's), whatever order migrations gave the columns. */
const MODEL_ORDER: readonly string[] = Object.values(Prisma.ConversationMessageScalarFieldEnum);
const modelRank = (name: string) => {
  const rank = MODEL_ORDER.indexOf(name);
  return rank === -1 ? MODEL_ORDER.length : rank;
};

/** A row with its keys in model order (columns the model does not know come last). */
function inModelOrder(row: Record<string, unknown>): ConversationMessage {
  const ordered: Record<string, unknown> = {};
  for (const name of MODEL_ORDER) if (name in row) ordered[name] = row[name];
  for (const name of Object.keys(row)) if (!(name in ordered)) ordered[name] = row[name];
  return ordered as unknown as ConversationMessage;
}

/** PostgreSQL refuses a prepared statement whose `RETURNING *` row gained or lost a column since it was prepared. */
function isStalePlan(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type');
}

/** PostgreSQL type OIDs whose text form is read differently from pg's defaults. */
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const DATE = 1082;
const INT8 = 20;

/**
 * Prisma stores DateTime as `timestamp(3)` in UTC; pg would read it as local time. Json is
 * parsed with JSON.parse (pg's default), which keeps `__proto__` as an own key.
 */
function postgresTypes(defaults: typeof pg.types): pg.CustomTypesConfig {
  return {
    getTypeParser(oid: number, format?: string): (value: string) => unknown {
      if (format !== 'binary') {
        if (oid === TIMESTAMP) return (value) => new Date(`${value.replace(' ', 'T')}Z`);
        if (oid === TIMESTAMPTZ) return (value) => new Date(value);
        if (oid === DATE) return (value) => new Date(`${value}T00:00:00Z`);
        if (oid === INT8) return (value) => BigInt(value);
      }
      return defaults.getTypeParser(oid, format as 'text');
    },
  } as pg.CustomTypesConfig;
}

function sqliteInsert(driver: Extract<RawDriver, { provider: 'sqlite' }>): InsertMessage {
  const { db } = driver;
  const claim = db.prepare(
    `UPDATE "ChatSession" SET "lastSeq" = "lastSeq" + 1, "messageCount" = "messageCount" + 1, "lastActivityAt" = ?
      WHERE "id" = ? AND "messageCount" < ? RETURNING "lastSeq"`,
  );
  claim.safeIntegers(false).pluck(true);
  const insert = db.prepare(
    `INSERT INTO "ConversationMessage" ("id", "sessionId", "seq", "role", "content", "metadata", "timestamp", "authorId", "clientMessageId")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  insert.safeIntegers(false).raw(true);
  let readRow = sqliteRowReader(insert);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');

  /** The two statements, in the transaction the caller opened. */
  const write = (row: MessageRow, maxMessages: number): ConversationMessage | null => {
    // Prisma's SQLite adapter writes DateTime as ISO 8601 with an explicit offset.
    const stamp = row.timestamp.toISOString().replace('Z', '+00:00');
    const seq = claim.get(stamp, row.sessionId, maxMessages) as number | undefined;
    if (seq === undefined) return null;
    const values = insert.get(
      row.id,
      row.sessionId,
      seq,
      row.role,
      row.content,
      row.metadataJson,
      stamp,
      row.authorId,
      row.clientMessageId,
    ) as unknown[];
    // A migration added or dropped a column since the statement was prepared: read its columns again.
    if (values.length !== readRow.width) readRow = sqliteRowReader(insert);
    return readRow(values);
  };

  const inTransaction = (run: () => ConversationMessage | null): ConversationMessage | null => {
    try {
      const stored = run();
      commit.run();
      return stored;
    } catch (error) {
      if (db.inTransaction) rollback.run();
      if (isClientMessageIdTaken(error)) throw new DuplicateClientMessageId('clientMessageId taken');
      throw error;
    }
  };

  return async (row, maxMessages) => {
    // No transaction of Prisma's is open on the connection: ours runs start to end now.
    if (!db.inTransaction) {
      begin.run();
      return inTransaction(() => write(row, maxMessages));
    }
    // One is (a clear, a delete, a nested create): wait for the adapter's lock, as Prisma does.
    const turn = await driver.beginAfterOthers();
    try {
      return inTransaction(() => write(row, maxMessages));
    } finally {
      await turn.release();
    }
  };
}

function isClientMessageIdTaken(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && message.includes('.clientMessageId');
}

/** Converts a raw row of `statement` by each column's declared SQLite type, as Prisma reads it. */
function sqliteRowReader(statement: SqliteStatement): ((values: unknown[]) => ConversationMessage) & { width: number } {
  const columns = statement
    .columns()
    .map((column, index) => ({ name: column.name, index, read: sqliteReader(column.type) }))
    .sort((a, b) => modelRank(a.name) - modelRank(b.name));
  const read = (values: unknown[]) => {
    const message: Record<string, unknown> = {};
    for (const column of columns) {
      const value = values[column.index];
      message[column.name] = value === null || value === undefined ? null : column.read(value);
    }
    return message as unknown as ConversationMessage;
  };
  return Object.assign(read, { width: columns.length });
}

const same = (value: unknown) => value;

function sqliteReader(declared: string | null): (value: unknown) => unknown {
  switch (declared?.toUpperCase()) {
    case 'DATETIME':
    case 'DATE':
      return readSqliteDate;
    case 'JSONB':
    case 'JSON':
      return (value) => JSON.parse(value as string);
    case 'BOOLEAN':
      return (value) => value === 1 || value === 1n || value === true;
    case 'BIGINT':
      return (value) => BigInt(value as number);
    default:
      return same;
  }
}

/** DateTime text as Prisma writes it (ISO 8601), SQLite's CURRENT_TIMESTAMP (UTC, no zone), or epoch milliseconds. */
function readSqliteDate(value: unknown): Date {
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  const text = String(value);
  return new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text);
}
