/** Where a token may come from on an HTTP request or WebSocket upgrade. */
import type { IncomingMessage } from 'node:http';

/** The bearer token of an Authorization header value, if any. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/** The named cookie's value from a Cookie header, if present. */
export function cookieValue(cookieHeader: string | null | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** Header first, then cookie, mirroring the legacy module. */
export function tokenFromHeaders(get: (name: string) => string | null | undefined, cookieName: string): string | undefined {
  return bearerToken(get('authorization')) ?? cookieValue(get('cookie'), cookieName);
}

/** One value of a Node request header (the first, when it was sent several times). */
export function singleHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** tokenFromHeaders for a Node request (REST routes, WebSocket upgrades). */
export function tokenFromRequest(request: IncomingMessage, cookieName: string): string | undefined {
  return tokenFromHeaders((name) => singleHeader(request, name), cookieName);
}
