/**
 * The legacy gateway's wire format: every server event is `{ type, data, timestamp }`, emitted
 * under the event name `type`. Errors carry the table code and the correlation id the log line
 * was written under; their text comes from the one error mapping (graphql/mask-error.ts), so a
 * Socket.IO client reads the same message and code a GraphQL client would.
 */
import type { MaskError } from '../graphql/mask-error.ts';

/** The events the server emits. */
export type ServerEventType = 'connected' | 'session_joined' | 'message_received' | 'typing_indicator' | 'session_info' | 'error';

export interface Envelope<T = unknown> {
  type: ServerEventType;
  data: T;
  /** When the server emitted it (ISO 8601). */
  timestamp: string;
}

/** `data` of an `error` event. */
export interface ErrorData {
  /** Client-safe text; never a stack, a path or driver text. */
  message: string;
  /** A code of the error table (src/errors.ts), e.g. NOT_FOUND, BAD_USER_INPUT, RATE_LIMITED. */
  code: string;
  /** The id the server logged the event under (quote it in a bug report). */
  correlationId: string;
  /** The client event that failed (absent for failures of the connection itself). */
  event?: string;
  /** Client-safe details of the code, e.g. `retryAfterSeconds` and `limit` for RATE_LIMITED. */
  [detail: string]: unknown;
}

export function envelope<T>(type: ServerEventType, data: T): Envelope<T> {
  return { type, data, timestamp: new Date().toISOString() };
}

/** The `error` envelope for a failure, mapped (and, when unexpected, logged) by the one mask. */
export function errorEnvelope(maskError: MaskError, error: unknown, event?: string): Envelope<ErrorData> {
  const masked = maskError(error);
  const { code, correlationId, ...details } = masked.extensions as Record<string, unknown>;
  return envelope('error', {
    ...details,
    message: masked.message,
    code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR',
    correlationId: typeof correlationId === 'string' ? correlationId : '',
    ...(event === undefined ? {} : { event }),
  });
}
