/** The `route` label of HTTP metrics and access lines: from a bounded set, whatever the path. */
import { matchRoute } from '../rest/route-matcher.ts';
import { restRoutes } from '../rest/routes.ts';
import { SOCKET_IO_PATH } from '../socketio/server.ts';

const PLAIN_ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);

/** The route a path belongs to: a fixed endpoint, a REST route's pattern, Socket.IO's engine, or `unmatched`. */
export function routeLabel(pathname: string): string {
  if (PLAIN_ROUTES.has(pathname)) return pathname;
  if (pathname.startsWith(SOCKET_IO_PATH)) return SOCKET_IO_PATH;
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
