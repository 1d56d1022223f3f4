/**
 * The legacy (NestJS) error shape every REST response uses, whether the REST layer
 * rejects a request itself or a GraphQL error is translated.
 */
import { STATUS_CODES } from 'node:http';

/** `{ statusCode, message, error }` as NestJS answers, plus the correlation id to quote. */
export interface RestErrorBody {
  statusCode: number;
  message: string;
  /** The HTTP reason phrase of statusCode ("Bad Request", "Not Found", …). */
  error: string;
  correlationId: string;
}

/** A request the REST layer answers itself, before (or instead of) running GraphQL. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (for example `allow` on a 405). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RestError';
  }
}

/** A 400 with a message the client developer can act on. */
export const badRequest = (message: string): RestError => new RestError(400, message);

/** The error body for a status, with its standard reason phrase. */
export function restErrorBody(status: number, message: string, correlationId: string): RestErrorBody {
  return { statusCode: status, message, error: STATUS_CODES[status] ?? 'Error', correlationId };
}
