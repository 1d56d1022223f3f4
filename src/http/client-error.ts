/**
 * The http server's `clientError` handler: a request Node cannot parse (malformed request
 * line, headers over MAX_HEADER_BYTES, a request that timed out) is answered with a JSON
 * error carrying a code and a correlation id instead of Node's bare status line, and the
 * socket is closed. It never throws.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../errors.ts';
import { correlationIdFrom } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import { errorResponseParts } from './error-response.ts';

/** What each parser failure answers; anything not listed is a 400. */
const refusals: Record<string, { code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    code: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
    message: 'The request line and headers are larger than the server accepts (MAX_HEADER_BYTES)',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { code: 'REQUEST_ENTITY_TOO_LARGE', message: 'Chunk extensions are too large' },
};
const malformed = { code: 'BAD_REQUEST' as const, message: 'The request is not valid HTTP/1.1' };

/** Node's ServerResponse in flight on the socket, if any (what Node's own default handler checks). */
interface SocketWithResponse {
  _httpMessage?: { headersSent?: boolean } | null;
}

export function createClientErrorHandler(logger: Logger): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    try {
      const correlationId = correlationIdFrom(undefined);
      const refusal = refusals[error.code ?? ''] ?? malformed;
      logger.debug('refused a malformed HTTP request', { correlationId, code: error.code, reason: error.message });
      // A reset connection cannot be answered; nor can one whose response has begun.
      const inFlight = (socket as Duplex & SocketWithResponse)._httpMessage;
      if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
        socket.destroy();
        return;
      }
      const { status, text, headers } = errorResponseParts(refusal.code, refusal.message, { correlationId });
      const head = Object.entries({ ...headers, connection: 'close' })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${head}\r\n${text}`, () => socket.destroy());
    } catch {
      socket.destroy();
    }
  };
}
