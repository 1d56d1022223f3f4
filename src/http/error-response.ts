/**
 * Error responses the HTTP edge writes itself, before or instead of GraphQL and REST:
 * an invalid Host or request target, a malformed request, an unexpected failure. The body
 * has the GraphQL-over-HTTP error shape (REST paths get the REST error shape), the status
 * comes from the error table, and the correlation id is in the body and the
 * `x-correlation-id` header. Never a stack, a path or driver text.
 */
import type { ServerResponse } from 'node:http';
import { httpStatusOf, type ErrorCode } from '../errors.ts';
import { restErrorBody } from '../rest/rest-error.ts';

/** `{ errors: [{ message, extensions: { code, correlationId } }] }`, as GraphQL answers a refused request. */
export interface HttpErrorBody {
  errors: [{ message: string; extensions: { code: ErrorCode; correlationId: string } }];
}

export interface HttpErrorOptions {
  correlationId: string;
  /** Answer in the REST error shape (the request was for a REST path). Default false. */
  rest?: boolean;
}

export function httpErrorBody(code: ErrorCode, message: string, correlationId: string): HttpErrorBody {
  return { errors: [{ message, extensions: { code, correlationId } }] };
}

/** The message of an unexpected failure: nothing about it but the id to quote. */
export function unexpectedErrorMessage(correlationId: string): string {
  return `Unexpected error. Quote correlation id ${correlationId} when reporting it.`;
}

/** An error response ready to write: status, JSON text and headers. */
export interface ErrorResponseParts {
  status: number;
  text: string;
  headers: Record<string, string>;
}

/** The JSON text and headers of an error response (also written raw on a socket by the clientError handler). */
export function errorResponseParts(code: ErrorCode, message: string, options: HttpErrorOptions): ErrorResponseParts {
  const body = options.rest ? restErrorBody(code, message, options.correlationId) : httpErrorBody(code, message, options.correlationId);
  const text = JSON.stringify(body);
  return {
    status: httpStatusOf(code),
    text,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
      'x-correlation-id': options.correlationId,
    },
  };
}

/**
 * Answers `res` with the error and closes the connection afterwards (the request may not
 * have been read to its end). When headers were already sent, the response is cut off instead.
 */
export function sendHttpError(res: ServerResponse, code: ErrorCode, message: string, options: HttpErrorOptions): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, text, headers } = errorResponseParts(code, message, options);
  res.writeHead(status, { ...headers, connection: 'close' });
  res.end(text);
}
