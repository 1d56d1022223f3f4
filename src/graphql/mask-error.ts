/**
 * The one error mapping for GraphQL results, used by Yoga's `maskedErrors` on HTTP and
 * by the WebSocket server. Typed AppErrors keep their message and code; GraphQL's own
 * errors (syntax, validation, variables) keep their message; everything else is masked
 * and logged under the same correlation id the client receives.
 */
import { GraphQLError } from 'graphql';
import { httpStatusOf, isAppError, isErrorCode, type ErrorCode } from '../errors.ts';
import { describeFailure } from '../http/describe-failure.ts';
import { unexpectedErrorMessage } from '../http/error-response.ts';
import { currentCorrelationId } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import { noMetrics, type Metrics } from '../observability/metrics.ts';
import { pothosValidationMessage } from './pothos-messages.ts';
import { asServiceUnavailable } from './unavailable.ts';

export type MaskError = (error: unknown) => GraphQLError;

/** `metrics` counts SERVICE_UNAVAILABLE answers and database failures (default: not counted). */
export function createMaskError(logger: Logger, metrics: Metrics = noMetrics): MaskError {
  return (error) => {
    const correlationId = currentCorrelationId();
    const graphqlError = error instanceof GraphQLError ? error : undefined;
    const cause = graphqlError ? innermost(graphqlError) : error;

    const unavailable = isAppError(cause) ? undefined : asServiceUnavailable(cause);
    const known = isAppError(cause) ? cause : unavailable;
    if (known) {
      if (unavailable) metrics.databaseError('unavailable');
      if (known.code === 'SERVICE_UNAVAILABLE') {
        metrics.serviceUnavailable();
        logger.warn('dependency unavailable', { correlationId, error: describeFailure(cause) });
      }
      return withExtensions(known.message, graphqlError, { ...known.details, code: known.code, correlationId });
    }
    if (graphqlError && !(cause instanceof Error && !(cause instanceof GraphQLError))) {
      const code = tableCodeFor(graphqlError, cause);
      const message = isPothosValidation(cause) ? pothosValidationMessage(cause.message) : graphqlError.message;
      return withExtensions(message, graphqlError, { ...graphqlError.extensions, code, correlationId, http: httpFor(graphqlError, code) });
    }
    if (isDatabaseFailure(cause)) metrics.databaseError('other');
    logger.error('unexpected error', { correlationId, error: describeFailure(cause) });
    const code: ErrorCode = 'INTERNAL_SERVER_ERROR';
    return withExtensions(unexpectedErrorMessage(correlationId), graphqlError, {
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

/**
 * The table code of an error GraphQL or Yoga raised. Yoga answers some refusals with
 * BAD_REQUEST and a status of their own (405 for a wrong method, 413 for too large a
 * batch); those get the code the table has for that status, so one code means one status.
 */
function tableCodeFor(error: GraphQLError, cause: unknown): string {
  const given = error.extensions.code;
  const code = typeof given === 'string' ? given : codeForGraphQLError(error, cause);
  const status = statusOf(error);
  if (!isErrorCode(code) || status === undefined || httpStatusOf(code) === status) return code;
  return codeForStatus[status] ?? code;
}

const codeForStatus: Partial<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  403: 'FORBIDDEN',
  405: 'METHOD_NOT_ALLOWED',
  413: 'REQUEST_ENTITY_TOO_LARGE',
};

/**
 * Yoga's `http` extension with the status the table gives the code: a refused request
 * answers that status (Yoga still answers 200 for `spec` errors to `application/json` clients,
 * as GraphQL over HTTP asks). Errors raised while executing have no `http` and keep 200.
 */
function httpFor(error: GraphQLError, code: string): unknown {
  const http = error.extensions.http as Record<string, unknown> | undefined;
  if (http === undefined || !isErrorCode(code)) return http;
  return { ...http, status: httpStatusOf(code) };
}

function statusOf(error: GraphQLError): number | undefined {
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
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

/** Prisma's errors, its driver adapters', SQLite's, and PostgreSQL's (a SQLSTATE with a severity, from pg). */
function isDatabaseFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    error.name.startsWith('Prisma') ||
    error.name === 'DriverAdapterError' ||
    (typeof code === 'string' && /^(P\d{4}|SQLITE_)/.test(code)) ||
    (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in error)
  );
}
