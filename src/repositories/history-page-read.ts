/**
 * A page of a session's messages by seq, read with a statement prepared once per shape on
 * the driver connection under Prisma (raw-driver.ts) instead of through the client: the
 * history read is one indexed query, and Prisma's per-query work (building the query,
 * preparing the statement again, mapping the rows) was most of its cost. Every column is
 * read (`SELECT *`) and converted as Prisma converts it (message-row-reader.ts), so a page
 * equals the one `findMany` without a select or include returns.
 */
import type pg from 'pg';
import type { ConversationMessage, QueryListener } from '../db/prisma-client.ts';
import type { RawDriver, SqliteStatement } from '../db/raw-driver.ts';
import { inModelOrder, isStalePlan, postgresTypes, sqliteRowReader } from './message-row-reader.ts';

export interface PageRead {
  /** Reading backwards (newest first) from `from`, or forwards (oldest first). */
  backward: boolean;
  /** The seq the page starts at, itself included; none for the session's end. */
  from: number | undefined;
  limit: number;
  offset: number;
}

/** The page's rows, oldest first. */
export type ReadPage = (sessionId: string, page: PageRead) => Promise<ConversationMessage[]>;

/** Above any seq (seq is a 32-bit Int column on both databases). */
const NO_UPPER_BOUND = 2_147_483_647;

const pageSql = (backward: boolean, param: (n: number) => string) =>
  `SELECT * FROM "ConversationMessage" WHERE "sessionId" = ${param(1)} AND "seq" ${backward ? '<=' : '>='} ${param(2)} ` +
  `ORDER BY "seq" ${backward ? 'DESC' : 'ASC'} LIMIT ${param(3)} OFFSET ${param(4)}`;

export async function createReadPage(driver: RawDriver, onQuery?: QueryListener): Promise<ReadPage> {
  if (driver.provider === 'sqlite') return sqliteReadPage(driver.db, onQuery);
  // pg is loaded only on PostgreSQL (its default type parsers are needed here).
  const { default: pgModule } = await import('pg');
  return postgresReadPage(driver.pool, postgresTypes(pgModule.types), onQuery);
}

function sqliteReadPage(db: Extract<RawDriver, { provider: 'sqlite' }>['db'], onQuery?: QueryListener): ReadPage {
  const shape = (backward: boolean) => {
    const sql = pageSql(backward, () => '?');
    const statement: SqliteStatement = db.prepare(sql).safeIntegers(false).raw(true);
    return { sql, statement, readRow: sqliteRowReader(statement) };
  };
  const shapes = [shape(false), shape(true)] as const;
  return async (sessionId, { backward, from, limit, offset }) => {
    const current = shapes[backward ? 1 : 0];
    onQuery?.(current.sql);
    const rows = current.statement.all(sessionId, from ?? (backward ? NO_UPPER_BOUND : 0), limit, offset) as unknown[][];
    // A migration added or dropped a column since the statement was prepared: read its columns again.
    if (rows.length > 0 && rows[0]!.length !== current.readRow.width) current.readRow = sqliteRowReader(current.statement);
    const page = rows.map(current.readRow);
    return backward ? page.reverse() : page;
  };
}

function postgresReadPage(pool: pg.Pool, types: pg.CustomTypesConfig, onQuery?: QueryListener): ReadPage {
  const texts = [pageSql(false, (n) => `$${n}`), pageSql(true, (n) => `$${n}`)] as const;
  // Renamed when the table's row type changed (see isStalePlan), so each connection prepares it again.
  let generation = 0;
  const run = (backward: boolean, values: unknown[]) =>
    pool.query({ name: `chat_history_page_${backward ? 'desc' : 'asc'}_${generation}`, text: texts[backward ? 1 : 0], values, types });
  return async (sessionId, { backward, from, limit, offset }) => {
    const values = [sessionId, from ?? (backward ? NO_UPPER_BOUND : 0), limit, offset];
    onQuery?.(texts[backward ? 1 : 0]);
    let result: pg.QueryResult;
    try {
      result = await run(backward, values);
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      // A migration changed the table under a statement prepared before it: prepare anew.
      generation += 1;
      result = await run(backward, values);
    }
    const page = (result.rows as Record<string, unknown>[]).map(inModelOrder);
    return backward ? page.reverse() : page;
  };
}
