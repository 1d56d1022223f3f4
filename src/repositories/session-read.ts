/**
 * A session's row by id (optionally only when a user participates in it), read with a
 * statement prepared once on the driver connection under Prisma (raw-driver.ts): every
 * GraphQL read of a session starts with this lookup, and through Prisma its per-query work
 * cost more than the indexed lookup itself. Every column is read and converted as Prisma
 * converts it (message-row-reader.ts), so the row equals `findFirst`'s without a selection.
 */
import type pg from 'pg';
import type { ChatSession, QueryListener } from '../db/prisma-client.ts';
import type { RawDriver, SqliteStatement } from '../db/raw-driver.ts';
import { inModelOrder, isStalePlan, postgresTypes, SESSION_ORDER, sqliteRowReader } from './message-row-reader.ts';

/** The session `id`, or null when it is gone or (with `participantId`) that user is not in it. */
export type FindSession = (id: string, participantId: string | undefined) => Promise<ChatSession | null>;

const sessionSql = (participant: boolean, param: (n: number) => string) =>
  `SELECT * FROM "ChatSession" WHERE "id" = ${param(1)}` +
  (participant
    ? ` AND EXISTS (SELECT 1 FROM "SessionParticipant" WHERE "SessionParticipant"."sessionId" = "ChatSession"."id" AND "SessionParticipant"."userId" = ${param(2)})`
    : '') +
  ' LIMIT 1';

export async function createFindSession(driver: RawDriver, onQuery?: QueryListener): Promise<FindSession> {
  if (driver.provider === 'sqlite') return sqliteFindSession(driver.db, onQuery);
  // pg is loaded only on PostgreSQL (its default type parsers are needed here).
  const { default: pgModule } = await import('pg');
  return postgresFindSession(driver.pool, postgresTypes(pgModule.types), onQuery);
}

function sqliteFindSession(db: Extract<RawDriver, { provider: 'sqlite' }>['db'], onQuery?: QueryListener): FindSession {
  const shape = (participant: boolean) => {
    const sql = sessionSql(participant, () => '?');
    const statement: SqliteStatement = db.prepare(sql).safeIntegers(false).raw(true);
    return { sql, statement, readRow: sqliteRowReader<ChatSession>(statement, SESSION_ORDER) };
  };
  const byId = shape(false);
  const forParticipant = shape(true);
  return async (id, participantId) => {
    const current = participantId === undefined ? byId : forParticipant;
    onQuery?.(current.sql);
    const values = (participantId === undefined ? current.statement.get(id) : current.statement.get(id, participantId)) as
      | unknown[]
      | undefined;
    if (!values) return null;
    // A migration added or dropped a column since the statement was prepared: read its columns again.
    if (values.length !== current.readRow.width) current.readRow = sqliteRowReader<ChatSession>(current.statement, SESSION_ORDER);
    return current.readRow(values);
  };
}

function postgresFindSession(pool: pg.Pool, types: pg.CustomTypesConfig, onQuery?: QueryListener): FindSession {
  const texts = [sessionSql(false, (n) => `$${n}`), sessionSql(true, (n) => `$${n}`)] as const;
  // Renamed when the table's row type changed (see isStalePlan), so each connection prepares it again.
  let generation = 0;
  const run = (participant: boolean, values: unknown[]) =>
    pool.query({
      name: `chat_find_session_${participant ? 'participant' : 'id'}_${generation}`,
      text: texts[participant ? 1 : 0],
      values,
      types,
    });
  return async (id, participantId) => {
    const participant = participantId !== undefined;
    const values = participant ? [id, participantId] : [id];
    onQuery?.(texts[participant ? 1 : 0]);
    let result: pg.QueryResult;
    try {
      result = await run(participant, values);
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      // A migration changed the table under a statement prepared before it: prepare anew.
      generation += 1;
      result = await run(participant, values);
    }
    const row = result.rows[0] as Record<string, unknown> | undefined;
    return row ? inModelOrder<ChatSession>(row, SESSION_ORDER) : null;
  };
}
