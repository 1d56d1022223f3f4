/** The `result` label of GraphQL operation metrics: `OK` or a code of the one error table. */
import type { GraphQLError } from 'graphql';
import { isAppError, isErrorCode } from '../errors.ts';
import { asServiceUnavailable } from './unavailable.ts';

/** `OK`, or the error-table code of the first error (masked or not yet masked). */
export function resultCodeOf(errors: readonly GraphQLError[] | undefined): string {
  const first = errors?.[0];
  if (!first) return 'OK';
  const given = first.extensions?.code;
  if (isErrorCode(given)) return given;
  let cause: unknown = first;
  while (cause && typeof cause === 'object' && 'originalError' in cause && (cause as GraphQLError).originalError) {
    cause = (cause as GraphQLError).originalError;
  }
  if (isAppError(cause)) return cause.code;
  if (asServiceUnavailable(cause)) return 'SERVICE_UNAVAILABLE';
  if (cause !== first) return 'INTERNAL_SERVER_ERROR';
  return first.message.startsWith('Variable ') ? 'BAD_USER_INPUT' : 'GRAPHQL_VALIDATION_FAILED';
}
