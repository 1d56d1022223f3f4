/**
 * Containment inside Yoga: its request handler (parsing, execution, result processing,
 * error masking) runs in a try/catch that answers an unexpected failure with a JSON 500
 * carrying the correlation id, logged with its stack. Without it, the server adapter answers
 * a text/plain 500 whose body is the stack trace.
 */
import type { Plugin } from 'graphql-yoga';
import { currentCorrelationId } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import { describeFailure } from './describe-failure.ts';
import { errorResponseParts, unexpectedErrorMessage } from './error-response.ts';

export function containGraphQLFailures(logger: Logger): Plugin {
  return {
    onRequest({ requestHandler, setRequestHandler, fetchAPI }) {
      setRequestHandler(async (request, serverContext) => {
        try {
          return await requestHandler(request, serverContext);
        } catch (error) {
          const correlationId = currentCorrelationId();
          try {
            logger.error('unexpected error while handling a GraphQL request', { correlationId, error: describeFailure(error) });
          } catch {
            // A failing logger must not keep the client from its answer.
          }
          const { status, text, headers } = errorResponseParts('INTERNAL_SERVER_ERROR', unexpectedErrorMessage(correlationId), {
            correlationId,
          });
          return new fetchAPI.Response(text, { status, headers });
        }
      });
    },
  };
}
