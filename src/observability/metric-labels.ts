/**
 * Label values for metrics, each from a bounded set: a client can never mint a new time
 * series by choosing a method, an operation name or a close code. Route and result labels,
 * which need the transports' tables, are in http/route-label.ts and graphql/result-code.ts.
 */

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The request method, or OTHER. */
export function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'OTHER';
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
