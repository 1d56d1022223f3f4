/**
 * Rows read by the repositories' own prepared statements (the send's insert, the history
 * pages, the session read), converted to exactly what Prisma returns for them: each column
 * by its declared type (Date, parsed JSON, number, boolean), keys in the model's order, so
 * a raw row and Prisma's compare equal key by key.
 */
import type pg from 'pg';
import { Prisma, type ConversationMessage } from '../db/prisma-client.ts';
import type { SqliteStatement } from '../db/raw-driver.ts';

/** The message's fields in the order Prisma returns them (the model's), whatever order migrations gave the columns. */
const MODEL_ORDER: readonly string[] = Object.values(Prisma.ConversationMessageScalarFieldEnum);

/** A row with its keys in the order of `fields` (a model's scalar fields; columns the model does not know come last). */
export function inFieldOrder(row: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const name of fields) if (name in row) ordered[name] = row[name];
  for (const name of Object.keys(row)) if (!(name in ordered)) ordered[name] = row[name];
  return ordered;
}

/** A message row with its keys in model order. */
export function inModelOrder(row: Record<string, unknown>): ConversationMessage {
  return inFieldOrder(row, MODEL_ORDER) as unknown as ConversationMessage;
}

/** PostgreSQL refuses a prepared statement whose `RETURNING *` row gained or lost a column since it was prepared. */
export function isStalePlan(error: unknown): boolean {
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
export function postgresTypes(defaults: typeof pg.types): pg.CustomTypesConfig {
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

/**
 * Converts a raw row of `statement` by each column's declared SQLite type, as Prisma reads
 * it, keys in the order of `fields` (default: the message model's).
 */
export function sqliteRowReader<Row = ConversationMessage>(
  statement: SqliteStatement,
  fields: readonly string[] = MODEL_ORDER,
): ((values: unknown[]) => Row) & { width: number } {
  const rank = (name: string) => {
    const at = fields.indexOf(name);
    return at === -1 ? fields.length : at;
  };
  const columns = statement
    .columns()
    .map((column, index) => ({ name: column.name, index, read: sqliteReader(column.type) }))
    .sort((a, b) => rank(a.name) - rank(b.name));
  const read = (values: unknown[]) => {
    const message: Record<string, unknown> = {};
    for (const column of columns) {
      const value = values[column.index];
      message[column.name] = value === null || value === undefined ? null : column.read(value);
    }
    return message as Row;
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
  // Only text with a space after the date can be CURRENT_TIMESTAMP's form; Prisma's ISO text skips the pattern.
  const zoneless = text.charCodeAt(10) === 32 && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text);
  return new Date(zoneless ? `${text.replace(' ', 'T')}Z` : text);
}
