import type { ServerResponse } from 'node:http';

/** Writes a JSON response (plain HTTP endpoints outside GraphQL). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
