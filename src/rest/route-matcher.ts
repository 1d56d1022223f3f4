/** Finds the route for a method and path, or tells why none fits (404 / 405). */
import { badRequest } from './rest-error.ts';
import type { HttpMethod, RestRoute } from './routes.ts';

export type RouteMatch =
  | { kind: 'found'; route: RestRoute; params: Record<string, string> }
  /** The path exists but not for this method; `allowed` lists the methods it has. */
  | { kind: 'wrong-method'; allowed: HttpMethod[] }
  | { kind: 'not-found' };

/**
 * Matches `pathname` against the routes' patterns (one trailing slash tolerated).
 * Path parameters are URI-decoded; a malformed escape is a 400.
 */
export function matchRoute(routes: readonly RestRoute[], method: string, pathname: string): RouteMatch {
  const segments = splitPath(pathname);
  const allowed: HttpMethod[] = [];
  for (const route of routes) {
    const params = matchSegments(splitPath(route.path), segments);
    if (!params) continue;
    if (route.method === method) return { kind: 'found', route, params: decodeParams(params) };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'not-found' };
}

function splitPath(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

function decodeParams(raw: Record<string, string>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      decoded[name] = decodeURIComponent(value);
    } catch {
      throw badRequest(`${name} is not a valid URL path segment`);
    }
  }
  return decoded;
}
