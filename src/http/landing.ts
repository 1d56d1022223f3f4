/**
 * `GET /`: what this server is and where its endpoints are, so a newcomer who opens the
 * base URL is pointed at GraphQL, the REST routes, health and metrics instead of a 404.
 * JSON by default; a small HTML page for browsers (`Accept: text/html`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml } from './graphiql.ts';
import { sendJson } from './send-json.ts';

export interface LandingOptions {
  /** Whether GraphiQL is served (GRAPHIQL); the page then links it. */
  graphiql: boolean;
  /** Whether `/metrics` answers on this port (not when METRICS_PORT moves it elsewhere). */
  metricsHere: boolean;
}

/** Answers `GET /` and `HEAD /`; returns false for every other request. */
export function createLanding(options: LandingOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const endpoints: Record<string, string> = {
    graphql: '/graphql (POST or GET; WebSocket subprotocol graphql-transport-ws; SSE with Accept: text/event-stream)',
    rest: '/chat/sessions/:sessionId/messages, /chat/messages/:messageId (legacy routes)',
    openapi: '/chat/openapi.json',
    liveness: '/healthz',
    readiness: '/readyz',
  };
  if (options.metricsHere) endpoints.metrics = '/metrics (Prometheus)';
  if (options.graphiql) endpoints.graphiql = '/graphql in a browser';
  const body = { service: 'chat-graphql-backend', endpoints, docs: 'README.md of the repository' };
  const html = renderHtml(endpoints);
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    if ((req.headers.accept ?? '').includes('text/html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : html);
      return true;
    }
    sendJson(res, 200, body);
    return true;
  };
}

function renderHtml(endpoints: Record<string, string>): string {
  const rows = Object.entries(endpoints)
    .map(([name, where]) => `<li><b>${escapeHtml(name)}</b>: <code>${escapeHtml(where)}</code></li>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Chat GraphQL backend</title></head><body><h1>Chat GraphQL backend</h1><ul>${rows}</ul><p><a href="/graphql">Open GraphiQL</a> (when enabled).</p></body></html>`;
}
