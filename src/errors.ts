/**
 * The one error table and the typed errors shared by every transport. Each code has one
 * GraphQL `extensions.code` (the code itself), one HTTP status and one WebSocket close code;
 * REST statuses, GraphQL-over-HTTP statuses of request errors and WebSocket closes derive
 * from it. A new code is added here and nowhere else.
 */
import { CloseCode } from 'graphql-ws';

/** One row of the error table. */
export interface ErrorDescription {
  /** HTTP status: REST responses, and GraphQL-over-HTTP when the request itself is refused. */
  httpStatus: number;
  /**
   * Close code when this error ends a WebSocket connection (an error of one operation is an
   * `error` message instead and keeps the socket open).
   */
  closeCode: number;
  /** When a client sees it (documentation; README's error table is made from it). */
  when: string;
}

/** Standard close codes (RFC 6455) beside graphql-ws' own 4xxx codes. */
const MESSAGE_TOO_BIG = 1009;
const TRY_AGAIN_LATER = 1013;

export const errorTable = {
  UNAUTHENTICATED: {
    httpStatus: 401,
    closeCode: CloseCode.Forbidden,
    when: 'No token, or an invalid, expired or malformed one.',
  },
  FORBIDDEN: {
    httpStatus: 403,
    closeCode: CloseCode.Forbidden,
    when: "Acting on someone else's message or session; a request without the CSRF header when CSRF_PREVENTION is on.",
  },
  NOT_FOUND: {
    httpStatus: 404,
    closeCode: CloseCode.BadRequest,
    when: 'An unknown id, or a session the caller is not in (indistinguishable on purpose); an unknown REST route.',
  },
  METHOD_NOT_ALLOWED: {
    httpStatus: 405,
    closeCode: CloseCode.BadRequest,
    when: 'A REST path with the wrong method; /graphql with a method other than GET or POST; a mutation over GET.',
  },
  BAD_USER_INPUT: {
    httpStatus: 400,
    closeCode: CloseCode.BadRequest,
    when: 'An argument or field breaks a rule (length, range, metadata shape, cursor, variables).',
  },
  BAD_REQUEST: {
    httpStatus: 400,
    closeCode: CloseCode.BadRequest,
    when: 'The HTTP request cannot be read: invalid Host or request target, body not JSON or not UTF-8, no query, malformed request line.',
  },
  GRAPHQL_PARSE_FAILED: {
    httpStatus: 400,
    closeCode: CloseCode.BadRequest,
    when: 'The document is not valid GraphQL syntax.',
  },
  GRAPHQL_VALIDATION_FAILED: {
    httpStatus: 400,
    closeCode: CloseCode.BadRequest,
    when: 'The document does not fit the schema, or exceeds an operation limit (`extensions.limit` names it).',
  },
  OPERATION_RESOLUTION_FAILURE: {
    httpStatus: 400,
    closeCode: CloseCode.BadRequest,
    when: 'The document has no operation to run (or operationName names none).',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    httpStatus: 415,
    closeCode: CloseCode.BadRequest,
    when: 'A POST to /graphql whose Content-Type GraphQL over HTTP does not read (send application/json).',
  },
  NOT_ACCEPTABLE: {
    httpStatus: 406,
    closeCode: CloseCode.BadRequest,
    when: 'An Accept header naming no media type /graphql answers in (application/graphql-response+json, application/json, text/event-stream, multipart/mixed).',
  },
  REQUEST_ENTITY_TOO_LARGE: {
    httpStatus: 413,
    closeCode: MESSAGE_TOO_BIG,
    when: 'A request body over MAX_BODY_BYTES, or a batch over MAX_BATCH_OPERATIONS.',
  },
  REQUEST_HEADER_FIELDS_TOO_LARGE: {
    httpStatus: 431,
    closeCode: MESSAGE_TOO_BIG,
    when: 'Request line and headers over MAX_HEADER_BYTES (HTTP requests and WebSocket upgrades).',
  },
  REQUEST_TIMEOUT: {
    httpStatus: 408,
    closeCode: CloseCode.ConnectionInitialisationTimeout,
    when: 'The request (headers and body) did not arrive within Node’s request timeout.',
  },
  RATE_LIMITED: {
    httpStatus: 429,
    closeCode: CloseCode.TooManyInitialisationRequests,
    when: 'Too many actions in a window; `retryAfterSeconds` (Retry-After on REST) says when to retry.',
  },
  MESSAGE_NOT_STREAMING: {
    httpStatus: 409,
    closeCode: CloseCode.BadRequest,
    when: 'Appending to, completing, failing or cancelling a message that is not STREAMING (`extensions.status` says what it is).',
  },
  MESSAGE_STREAMING: {
    httpStatus: 409,
    closeCode: CloseCode.BadRequest,
    when: 'Editing a message whose reply is still STREAMING; complete or cancel it first.',
  },
  CHUNK_OUT_OF_ORDER: {
    httpStatus: 409,
    closeCode: CloseCode.BadRequest,
    when: 'An appended chunk skips an index; nothing from it on was stored; `extensions.nextIndex` is the index to send next.',
  },
  SERVICE_UNAVAILABLE: {
    httpStatus: 503,
    closeCode: TRY_AGAIN_LATER,
    when: 'A dependency (database, Redis) is unreachable; retry later.',
  },
  INTERNAL_SERVER_ERROR: {
    httpStatus: 500,
    closeCode: CloseCode.InternalServerError,
    when: 'Anything unexpected; the message quotes the correlation id under which the stack was logged.',
  },
} as const satisfies Record<string, ErrorDescription>;

export type ErrorCode = keyof typeof errorTable;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(errorTable, code);
}

/** The table row of a code. */
export function describeError(code: ErrorCode): ErrorDescription {
  return errorTable[code];
}

/** The HTTP status of a code. */
export function httpStatusOf(code: ErrorCode): number {
  return errorTable[code].httpStatus;
}

/** The WebSocket close code of a code. */
export function closeCodeFor(code: ErrorCode): number {
  return errorTable[code].closeCode;
}

/** HTTP status for each code (REST responses and GraphQL-over-HTTP where it applies). */
export const httpStatusFor = Object.fromEntries(Object.entries(errorTable).map(([code, row]) => [code, row.httpStatus])) as Record<
  ErrorCode,
  number
>;

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

export const notFound = (what: string, id: string): AppError => new AppError('NOT_FOUND', `${what} "${truncateId(id)}" was not found`);

export const badInput = (message: string, details?: Record<string, unknown>): AppError => new AppError('BAD_USER_INPUT', message, details);

export const forbidden = (message: string): AppError => new AppError('FORBIDDEN', message);

export const unauthenticated = (message = 'A valid token is required'): AppError => new AppError('UNAUTHENTICATED', message);

/** Too many actions in a window; the client may retry after `retryAfterSeconds`. */
export const rateLimited = (message: string, details: { retryAfterSeconds: number; limit: number }): AppError =>
  new AppError('RATE_LIMITED', message, details);

/** Ids are echoed in messages; keep a hostile 1 MB id from being echoed whole. */
function truncateId(id: string): string {
  return id.length > 64 ? `${id.slice(0, 64)}…` : id;
}
