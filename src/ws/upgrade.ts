/** Which WebSocket upgrade requests reach the graphql-ws server, and how the others are answered. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export interface RefusedUpgrade {
  status: number;
  message: string;
}

/** Null when the upgrade may proceed; otherwise the HTTP answer. Never throws, whatever the request line holds. */
export function refuseUpgrade(request: IncomingMessage, path: string, allowedOrigins: string[] | '*'): RefusedUpgrade | null {
  const pathname = pathnameOf(request.url);
  if (pathname === null) return { status: 400, message: 'Bad Request' };
  if (pathname !== path) return { status: 404, message: 'Not Found' };
  if (!originAllowed(allowedOrigins, request.headers.origin)) return { status: 403, message: 'Origin not allowed' };
  return null;
}

/** Answers and ends the connection (the socket must already have an error listener). */
export function rejectUpgrade(socket: Duplex, refusal: RefusedUpgrade): void {
  const { status, message } = refusal;
  socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${message}\n`);
}

function pathnameOf(target: string | undefined): string | null {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

/** Browsers always send Origin on upgrades; a request without one is not from a page, so there is nothing to check. */
export function originAllowed(allowed: string[] | '*', origin: string | undefined): boolean {
  if (allowed === '*' || origin === undefined) return true;
  return allowed.includes(origin);
}
