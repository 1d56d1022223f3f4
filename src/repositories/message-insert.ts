/**
 * The send's write, run on the driver connection under Prisma (raw-driver.ts) instead of
 * through Prisma's interactive transaction: claiming the next seq, bumping the session's
 * count and activity and inserting the message cost one round trip, with statements
 * prepared once. PostgreSQL runs it as one statement (a data-modifying CTE); SQLite as two
 * statements run synchronously (no other JavaScript can interleave them) in a savepoint of
 * the turn's shared transaction, acknowledged once it commits (sqlite-commit-batch.ts).
 *
 * The INSERT names its columns; every column it does not name takes its database default,
 * and `RETURNING *` reads the whole row back, each column converted by its declared type
 * to what Prisma returns for it (Date, parsed JSON, number, boolean), so columns added
 * later come back without a change here.
 */
import type pg from 'pg';
import type { ConversationMessage, MessageRole, MessageStatus } from '../db/prisma-client.ts';
import type { RawDriver } from '../db/raw-driver.ts';
import { inModelOrder, isStalePlan, postgresTypes, sqliteRowReader } from './message-row-reader.ts';

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
  /** COMPLETE for a sent message; STREAMING opens a streamed reply (its `streamedAt` is then the timestamp). */
  status: Extract<MessageStatus, 'COMPLETE' | 'STREAMING'>;
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
    INSERT INTO "ConversationMessage"
           ("id", "sessionId", "seq", "role", "content", "metadata", "timestamp", "authorId", "clientMessageId", "status", "streamedAt")
    SELECT $1, $2, claimed."lastSeq", $3::"MessageRole", $4, $5::jsonb, $8, $6, $7, $10::"MessageStatus",
           CASE WHEN $10 = 'STREAMING' THEN $8::timestamp(3) END
      FROM claimed
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
    const values = [
      row.id,
      row.sessionId,
      row.role,
      row.content,
      row.metadataJson,
      row.authorId,
      row.clientMessageId,
      stamp,
      maxMessages,
      row.status,
    ];
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

function sqliteInsert(driver: Extract<RawDriver, { provider: 'sqlite' }>): InsertMessage {
  const { db } = driver;
  const claim = db.prepare(
    `UPDATE "ChatSession" SET "lastSeq" = "lastSeq" + 1, "messageCount" = "messageCount" + 1, "lastActivityAt" = ?
      WHERE "id" = ? AND "messageCount" < ? RETURNING "lastSeq"`,
  );
  claim.safeIntegers(false).pluck(true);
  const insert = db.prepare(
    `INSERT INTO "ConversationMessage"
            ("id", "sessionId", "seq", "role", "content", "metadata", "timestamp", "authorId", "clientMessageId", "status", "streamedAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  insert.safeIntegers(false).raw(true);
  let readRow = sqliteRowReader(insert);
  /** The two statements, in the turn's transaction (sqlite-commit-batch.ts). */
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
      row.status,
      row.status === 'STREAMING' ? stamp : null,
    ) as unknown[];
    // A migration added or dropped a column since the statement was prepared: read its columns again.
    if (values.length !== readRow.width) readRow = sqliteRowReader(insert);
    return readRow(values);
  };

  return async (row, maxMessages) => {
    try {
      return await driver.commitBatch.run(() => write(row, maxMessages));
    } catch (error) {
      if (isClientMessageIdTaken(error)) throw new DuplicateClientMessageId('clientMessageId taken');
      throw error;
    }
  };
}

function isClientMessageIdTaken(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && message.includes('.clientMessageId');
}
