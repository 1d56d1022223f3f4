/**
 * Yoga refuses a POST whose Content-Type it cannot read (415) and a request whose Accept
 * header names no media type it answers in (406) with an empty body. This gives both the
 * error shape every other refused request has — the table's code, a message a client
 * developer can act on and the correlation id — keeping Yoga's status and headers (a 406
 * still lists the media types it accepts in `accept`).
 */
import type { Plugin } from 'graphql-yoga';
import { httpStatusOf, type ErrorCode } from '../errors.ts';
import { errorResponseParts } from '../http/error-response.ts';
import { currentCorrelationId } from '../observability/correlation.ts';

/** The refusals Yoga answers empty, by the status the error table gives their code. */
const REFUSALS: ReadonlyMap<number, { code: ErrorCode; message: string }> = new Map(
  (
    [
      {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'The request body is in a media type /graphql does not read: send it with Content-Type: application/json.',
      },
      {
        code: 'NOT_ACCEPTABLE',
        message:
          'The Accept header names no media type /graphql can answer in: accept application/graphql-response+json or application/json (or text/event-stream for subscriptions).',
      },
    ] as const
  ).map((refusal) => [httpStatusOf(refusal.code), refusal]),
);

export function describeEmptyRefusals(): Plugin {
  return {
    onResponse({ response, setResponse, fetchAPI }) {
      const refusal = REFUSALS.get(response.status);
      // Only Yoga's own empty answers: a body it wrote is left as it is.
      if (!refusal || response.headers.has('content-type')) return;
      // The edge's own error response (body, content type, cache-control, correlation id), on Yoga's headers.
      const parts = errorResponseParts(refusal.code, refusal.message, { correlationId: currentCorrelationId() });
      const headers = new fetchAPI.Headers(response.headers);
      for (const [name, value] of Object.entries(parts.headers)) headers.set(name, value);
      setResponse(new fetchAPI.Response(parts.text, { status: parts.status, headers }));
    },
  };
}
