/**
 * Yoga refuses a POST whose Content-Type it cannot read (415) and a request whose Accept
 * header names no media type it answers in (406) with an empty body. This gives both the
 * error shape every other refused request has — the table's code, a message a client
 * developer can act on and the correlation id — keeping Yoga's status and headers (a 406
 * still lists the media types it accepts in `accept`).
 */
import type { Plugin } from 'graphql-yoga';
import type { ErrorCode } from '../errors.ts';
import { httpErrorBody } from '../http/error-response.ts';
import { currentCorrelationId } from '../observability/correlation.ts';

const REFUSALS: ReadonlyMap<number, { code: ErrorCode; message: string }> = new Map([
  [
    415,
    {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'The request body is in a media type /graphql does not read: send it with Content-Type: application/json.',
    },
  ],
  [
    406,
    {
      code: 'NOT_ACCEPTABLE',
      message:
        'The Accept header names no media type /graphql can answer in: accept application/graphql-response+json or application/json (or text/event-stream for subscriptions).',
    },
  ],
]);

export function describeEmptyRefusals(): Plugin {
  return {
    onResponse({ response, setResponse, fetchAPI }) {
      const refusal = REFUSALS.get(response.status);
      // Only Yoga's own empty answers: a body it wrote is left as it is.
      if (!refusal || response.headers.has('content-type')) return;
      const correlationId = currentCorrelationId();
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('content-type', 'application/json; charset=utf-8');
      headers.set('cache-control', 'no-store');
      headers.set('x-correlation-id', correlationId);
      const text = JSON.stringify(httpErrorBody(refusal.code, refusal.message, correlationId));
      setResponse(new fetchAPI.Response(text, { status: response.status, headers }));
    },
  };
}
