/**
 * Label values for metrics, each from a bounded set: a client can never mint a new time
 * series by choosing a path, a method, an operation name or a close code.
 */
import type { GraphQLError } from 'graphql';
import { isAppError, isErrorCode } from '../errors.ts';
import { asServiceUnavailable } from '../graphql/unavailable.ts';
import { matchRoute } from '../rest/route-matcher.ts';
import { restRoutes } from '../rest/routes.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const PLAIN_ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);

/** The request method, or OTHER. */
export function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'OTHER';
}

/** The route a path belongs to: a fixed endpoint, a REST route's pattern, or `unmatched`. */
export function routeLabel(pathname: string): string {
  if (PLAIN_ROUTES.has(pathname)) return pathname;
  if (pathname === '/chat' || pathname.startsWith('/chat/')) {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      try {
        const match = matchRoute(restRoutes, method, pathname);
        if (match.kind === 'found') return match.route.path;
      } catch {
        // A malformed escape in a path parameter: still the route's shape, but no match to name.
      }
    }
  }
  return 'unmatched';
}

/** Close codes of RFC 6455, graphql-ws and this server; any other becomes `other`. */
export function closeCodeLabel(code: number): string {
  const known = (code >= 1000 && code <= 1015) || (code >= 4400 && code <= 4500);
  return known ? String(code) : 'other';
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
export const ANONYMOUS_OPERATION = '__anonymous';
export const OTHER_OPERATION = '__other';

/**
 * Operation names as labels: the first `max` distinct valid names get their own series,
 * later ones (and anything that is not a GraphQL name) count as `__other`; no name is
 * `__anonymous`.
 */
export function operationNameLabels(max: number): (name: string | null | undefined) => string {
  const seen = new Set<string>();
  return (name) => {
    if (!name) return ANONYMOUS_OPERATION;
    if (seen.has(name)) return name;
    if (!GRAPHQL_NAME.test(name) || seen.size >= max) return OTHER_OPERATION;
    seen.add(name);
    return name;
  };
}

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
