/**
 * The legacy (NestJS) error shape every REST response uses, whether the REST layer
 * rejects a request itself or a GraphQL error is translated. The status comes from the
 * shared error table (src/errors.ts) by code.
 */
import { STATUS_CODES } from 'node:http';
import { httpStatusOf, type ErrorCode } from '../errors.ts';

/** `{ statusCode, message, error }` as NestJS answers, plus the error code and the correlation id to quote. */
export interface RestErrorBody {
  statusCode: number;
  message: string;
  /** The HTTP reason phrase of statusCode ("Bad Request", "Not Found", …). */
  error: string;
  /** The code of the shared error table (the same `extensions.code` GraphQL answers). */
  code: ErrorCode;
  correlationId: string;
}

/** A request the REST layer answers itself, before (or instead of) running GraphQL. */
export class RestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers (for example `allow` on a 405). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RestError';
  }

  /** The HTTP status of `code` in the error table. */
  get status(): number {
    return httpStatusOf(this.code);
  }
}

/** A request that cannot be read (bad JSON, bad path escape): 400 BAD_REQUEST. */
export const badRequest = (message: string): RestError => new RestError('BAD_REQUEST', message);

/** A field or parameter that breaks a rule of the route: 400 BAD_USER_INPUT. */
export const badRestInput = (message: string): RestError => new RestError('BAD_USER_INPUT', message);

/** The error body for a code, with its status and standard reason phrase. */
export function restErrorBody(code: ErrorCode, message: string, correlationId: string): RestErrorBody {
  const status = httpStatusOf(code);
  return { statusCode: status, message, error: STATUS_CODES[status] ?? 'Error', code, correlationId };
}
