/** Recognises "the database (or another dependency) cannot be reached" among driver errors. */
import { AppError } from '../errors.ts';

/** Unreachable, timed out, closed, database gone (P1003, e.g. dropped), too many connections (P2037). */
const UNREACHABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1003', 'P1008', 'P1017', 'P2024', 'P2028', 'P2037']);
/**
 * PostgreSQL's transient refusals, retryable by the client: lock timeout (55P03), statement
 * timeout (57014), deadlock (40P01), serialization failure (40001). P2028: an interactive
 * transaction could not start or expired in time (an overloaded pool).
 */
const TRANSIENT_POSTGRES_CODES = /Code: `(55P03|57014|40P01|40001)`/;
/** The same refusals as SQLSTATEs on the pg driver's own errors (the send runs its statement on the pool itself). */
const TRANSIENT_POSTGRES_SQLSTATES = new Set(['55P03', '57014', '40P01', '40001']);
/** Socket errors, and PostgreSQL's "database does not exist", "too many connections", admin shutdown/cannot connect now. */
const UNREACHABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '3D000',
  '53300',
  '57P01',
  '57P02',
  '57P03',
]);

export function asServiceUnavailable(error: unknown): AppError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const causeCode = (error as { cause?: { code?: unknown } }).cause?.code;
  const busy =
    /SQLITE_BUSY|database is locked/i.test(error.message) ||
    TRANSIENT_POSTGRES_CODES.test(error.message) ||
    (typeof code === 'string' && TRANSIENT_POSTGRES_SQLSTATES.has(code) && 'severity' in error);
  const unreachable =
    error.name === 'PrismaClientInitializationError' ||
    (typeof code === 'string' && (UNREACHABLE_PRISMA_CODES.has(code) || UNREACHABLE_NODE_CODES.has(code))) ||
    (typeof causeCode === 'string' && UNREACHABLE_NODE_CODES.has(causeCode)) ||
    /ECONNREFUSED|Connection terminated|connect ETIMEDOUT|DatabaseNotReachable|timeout exceeded when trying to connect/i.test(
      error.message,
    );
  if (!unreachable && !busy) return undefined;
  return new AppError('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; retry shortly', { retryable: true });
}
