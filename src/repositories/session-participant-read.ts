/**
 * A session's row when a given user participates in it, read with a statement prepared once
 * on the driver connection under Prisma (raw-driver.ts), like the history pages: Prisma's
 * findFirst with a relation filter built its query and prepared the statement again on every
 * call, most of the database cost of a `session(id) { messages }` page. Every column is read
 * (`SELECT s.*`) and converted as Prisma converts it (message-row-reader.ts), so the row
 * equals the one `findFirst` without a select or include returns.
 */
import type pg from 'pg';
import { Prisma, type ChatSession, type QueryListener } from '../db/prisma-client.ts';
import type { RawDriver, SqliteStatement } from '../db/raw-driver.ts';
import { inFieldOrder, isStalePlan, postgresTypes, sqliteRowReader } from './message-row-reader.ts';

/** The session `sessionId` when `userId` is one of its participants, otherwise null. */
export type ReadParticipantSession = (sessionId: string, userId: string) => Promise<ChatSession | null>;

const SESSION_FIELDS: readonly string[] = Object.values(Prisma.ChatSessionScalarFieldEnum);

// The participant's key is the primary key (sessionId, userId): one index probe.
const participantSql = (param: (n: number) => string) =>
  `SELECT s.* FROM "ChatSession" s WHERE s."id" = ${param(1)} AND EXISTS ` +
  `(SELECT 1 FROM "SessionParticipant" p WHERE p."sessionId" = s."id" AND p."userId" = ${param(2)})`;

export async function createReadParticipantSession(driver: RawDriver, onQuery?: QueryListener): Promise<ReadParticipantSession> {
  if (driver.provider === 'sqlite') return sqliteRead(driver.db, onQuery);
  // pg is loaded only on PostgreSQL (its default type parsers are needed here).
  const { default: pgModule } = await import('pg');
  return postgresRead(driver.pool, postgresTypes(pgModule.types), onQuery);
}

function sqliteRead(db: Extract<RawDriver, { provider: 'sqlite' }>['db'], onQuery?: QueryListener): ReadParticipantSession {
  const sql = participantSql(() => '?');
  const statement: SqliteStatement = db.prepare(sql).safeIntegers(false).raw(true);
  let readRow = sqliteRowReader<ChatSession>(statement, SESSION_FIELDS);
  return async (sessionId, userId) => {
    onQuery?.(sql);
    const values = statement.get(sessionId, userId) as unknown[] | undefined;
    if (!values) return null;
    // A migration added or dropped a column since the statement was prepared: read its columns again.
    if (values.length !== readRow.width) readRow = sqliteRowReader<ChatSession>(statement, SESSION_FIELDS);
    return readRow(values);
  };
}

function postgresRead(pool: pg.Pool, types: pg.CustomTypesConfig, onQuery?: QueryListener): ReadParticipantSession {
  const text = participantSql((n) => `$${n}`);
  // Renamed when the table's row type changed (see isStalePlan), so each connection prepares it again.
  let generation = 0;
  const run = (values: unknown[]) => pool.query({ name: `chat_participant_session_${generation}`, text, values, types });
  return async (sessionId, userId) => {
    onQuery?.(text);
    let result: pg.QueryResult;
    try {
      result = await run([sessionId, userId]);
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      generation += 1;
      result = await run([sessionId, userId]);
    }
    const row = result.rows[0] as Record<string, unknown> | undefined;
    return row ? (inFieldOrder(row, SESSION_FIELDS) as unknown as ChatSession) : null;
  };
}
