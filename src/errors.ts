/**
 * Typed errors shared by every transport. Services throw these; the GraphQL error
 * masking turns them into `extensions.code`, REST derives its HTTP status from the same
 * table, and WebSocket close codes come from it too.
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

/** HTTP status for each code (REST responses and GraphQL-over-HTTP where it applies). */
export const httpStatusFor: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

/** An error whose message is safe to show to the client. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra, client-safe details (for example `{ limit: 1000 }`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export const notFound = (what: string, id: string): AppError =>
  new AppError('NOT_FOUND', `${what} "${truncateId(id)}" was not found`);

export const badInput = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('BAD_USER_INPUT', message, details);

export const forbidden = (message: string): AppError => new AppError('FORBIDDEN', message);

export const unauthenticated = (message = 'A valid token is required'): AppError =>
  new AppError('UNAUTHENTICATED', message);

/** Too many actions in a window; the client may retry after `retryAfterSeconds`. */
export const rateLimited = (message: string, details: { retryAfterSeconds: number; limit: number }): AppError =>
  new AppError('RATE_LIMITED', message, details);

/** Ids are echoed in messages; keep a hostile 1 MB id from being echoed whole. */
function truncateId(id: string): string {
  return id.length > 64 ? `${id.slice(0, 64)}…` : id;
}
