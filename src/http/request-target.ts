/**
 * The URL of an inbound request, built once from its Host header and request target, in a
 * guard: anything that does not form a URL is a 400 here instead of a crash further in
 * (Yoga builds `new URL(\`http://${host}${target}\`)` from the same two values).
 */
import type { IncomingMessage } from 'node:http';

/** The parts of the request's URL the handler reads (a URL has them; so does the plain path's shortcut). */
export interface TargetUrl {
  pathname: string;
  search: string;
  host: string;
}

export type RequestTarget = { ok: true; url: TargetUrl } | { ok: false; message: string };

/**
 * RFC 3986 host (IP-literal, IPv4 or reg-name, ASCII only) with an optional port. Raw
 * non-ASCII bytes, spaces, `%` not followed by two hex digits, brackets that do not close… fail.
 */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::[0-9]{0,5})?$/;

/**
 * A path a URL keeps exactly as sent: no query, no dot segment, no escape, no second leading
 * slash (every character here is one the URL parser neither encodes nor interprets).
 */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-_~/]*$/;

/** Host headers seen, each with the URL host it forms (null: none); past this many it starts over. */
const HOST_CACHE_SIZE = 64;
const hostsSeen = new Map<string, string | null>();

/** The URL host a well-formed Host header forms (lower-cased, default port dropped…), or null. */
function urlHost(host: string): string | null {
  let known = hostsSeen.get(host);
  if (known === undefined) {
    known = parseUrl(`http://${host}`)?.host ?? null;
    if (hostsSeen.size >= HOST_CACHE_SIZE) hostsSeen.clear();
    hostsSeen.set(host, known);
  }
  return known;
}

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
  const baseHost = urlHost(host);
  if (baseHost === null) return refuse('The Host header is not a valid host name with an optional port');

  const target = req.url ?? '';
  // The common request (`POST /graphql`): the URL parser would give the path back unchanged.
  if (PLAIN_PATH.test(target)) return { ok: true, url: { pathname: target, search: '', host: baseHost } };
  if (target === '*') return refuse('The request target "*" is not supported; send a path such as /graphql');
  if (/^https?:\/\//i.test(target)) {
    const absolute = parseUrl(target);
    if (!absolute) return refuse('The request target is not a valid URL');
    return { ok: true, url: absolute };
  }
  if (!target.startsWith('/')) return refuse('The request target must be a path starting with "/"');
  const url = parseUrl(target, new URL(`http://${host}`));
  if (!url || url.host !== baseHost) return refuse('The request target must be a path starting with a single "/"');
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
