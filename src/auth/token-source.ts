/** Where a token may come from on an HTTP request or WebSocket upgrade. */

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
export function tokenFromHeaders(
  get: (name: string) => string | null | undefined,
  cookieName: string,
): string | undefined {
  return bearerToken(get('authorization')) ?? cookieValue(get('cookie'), cookieName);
}
