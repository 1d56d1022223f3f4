/**
 * The URL of an inbound request, built once from its Host header and request target, in a
 * guard: anything that does not form a URL is a 400 here instead of a crash further in
 * (Yoga builds `new URL(\`http://${host}${target}\`)` from the same two values).
 */
import type { IncomingMessage } from 'node:http';

export type RequestTarget = { ok: true; url: URL } | { ok: false; message: string };

/**
 * RFC 3986 host (IP-literal, IPv4 or reg-name, ASCII only) with an optional port. Raw
 * non-ASCII bytes, spaces, `%` not followed by two hex digits, brackets that do not close… fail.
 */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::[0-9]{0,5})?$/;

/**
 * Checks the request's Host header (exactly one, well-formed) and target, and returns the
 * URL they name. Accepts the origin form (`/graphql?x=1`) and the absolute form
 * (`http://host/graphql`); refuses the asterisk form (`OPTIONS *`), the authority form and
 * a target that reads as another authority (`//evil/x`).
 */
export function parseRequestTarget(req: IncomingMessage): RequestTarget {
  const hosts = hostHeaders(req);
  if (hosts.length === 0) return refuse('A Host header is required');
  if (hosts.length > 1) return refuse('Send exactly one Host header');
  const host = hosts[0] ?? '';
  if (!HOST.test(host)) return refuse('The Host header is not a valid host name with an optional port');
  const base = parseUrl(`http://${host}`);
  if (!base) return refuse('The Host header is not a valid host name with an optional port');

  const target = req.url ?? '';
  if (target === '*') return refuse('The request target "*" is not supported; send a path such as /graphql');
  if (/^https?:\/\//i.test(target)) {
    const absolute = parseUrl(target);
    if (!absolute) return refuse('The request target is not a valid URL');
    return { ok: true, url: absolute };
  }
  if (!target.startsWith('/')) return refuse('The request target must be a path starting with "/"');
  const url = parseUrl(target, base);
  if (!url || url.host !== base.host) return refuse('The request target must be a path starting with a single "/"');
  return { ok: true, url };
}

/** Every Host header as sent (Node keeps only the first in `req.headers`). */
function hostHeaders(req: IncomingMessage): string[] {
  const hosts: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === 'host') hosts.push(req.rawHeaders[i + 1] ?? '');
  }
  return hosts;
}

function parseUrl(input: string, base?: URL): URL | undefined {
  try {
    return new URL(input, base);
  } catch {
    return undefined;
  }
}

function refuse(message: string): RequestTarget {
  return { ok: false, message };
}
