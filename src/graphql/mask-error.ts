/**
 * The one error mapping for GraphQL results, used by Yoga's `maskedErrors` on HTTP and
 * by the WebSocket server. Typed AppErrors keep their message and code; GraphQL's own
 * errors (syntax, validation, variables) keep their message; everything else is masked
 * and logged under the same correlation id the client receives.
 */
import { GraphQLError } from 'graphql';
import { isAppError, type ErrorCode } from '../errors.ts';
import { currentCorrelationId } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import { pothosValidationMessage } from './pothos-messages.ts';
import { asServiceUnavailable } from './unavailable.ts';

export type MaskError = (error: unknown) => GraphQLError;

export function createMaskError(logger: Logger): MaskError {
  return (error) => {
    const correlationId = currentCorrelationId();
    const graphqlError = error instanceof GraphQLError ? error : undefined;
    const cause = graphqlError ? innermost(graphqlError) : error;

    const known = isAppError(cause) ? cause : asServiceUnavailable(cause);
    if (known) {
      if (known.code === 'SERVICE_UNAVAILABLE') logger.warn('dependency unavailable', { correlationId, error: describe(cause) });
      return withExtensions(known.message, graphqlError, { ...known.details, code: known.code, correlationId });
    }
    if (graphqlError && !(cause instanceof Error && !(cause instanceof GraphQLError))) {
      const code = (graphqlError.extensions.code as string | undefined) ?? codeForGraphQLError(graphqlError, cause);
      const message = isPothosValidation(cause) ? pothosValidationMessage(cause.message) : graphqlError.message;
      return withExtensions(message, graphqlError, { ...graphqlError.extensions, code, correlationId });
    }
    logger.error('unexpected error', { correlationId, error: describe(cause) });
    const code: ErrorCode = 'INTERNAL_SERVER_ERROR';
    return withExtensions(`Unexpected error. Quote correlation id ${correlationId} when reporting it.`, graphqlError, {
      code,
      correlationId,
    });
  };
}

function innermost(error: GraphQLError): unknown {
  let current: unknown = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

function withExtensions(message: string, source: GraphQLError | undefined, extensions: Record<string, unknown>): GraphQLError {
  const { http, ...visible } = extensions;
  // Yoga reads `http` for the response status (400, 403, 413…); kept non-enumerable so it
  // never reaches a response body or a WebSocket frame.
  if (http !== undefined) Object.defineProperty(visible, 'http', { value: http, enumerable: false });
  return new GraphQLError(message, {
    nodes: source?.nodes,
    source: source?.source,
    positions: source?.positions,
    path: source?.path,
    extensions: visible,
  });
}

/** Apollo's conventions for errors GraphQL itself raises. */
function codeForGraphQLError(error: GraphQLError, cause: unknown): string {
  // Pothos rejects bad connection arguments (an invalid cursor) while resolving.
  if (isPothosValidation(cause)) return 'BAD_USER_INPUT';
  const status = (error.extensions.http as { status?: number } | undefined)?.status;
  if (status === 403) return 'FORBIDDEN';
  if (error.message.startsWith('Syntax Error')) return 'GRAPHQL_PARSE_FAILED';
  if (error.message.startsWith('Variable ')) return 'BAD_USER_INPUT';
  return 'GRAPHQL_VALIDATION_FAILED';
}

function isPothosValidation(error: unknown): error is Error {
  return error instanceof Error && error.name === 'PothosValidationError';
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}

