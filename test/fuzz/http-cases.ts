/** Raw HTTP/1.1 requests with broken request lines, headers, framing and bodies, at /graphql and the REST routes. */
import { graphqlPayload, pickId, pickToken, type FuzzContext } from './fuzz-context.ts';
import type { Prng } from './prng.ts';
import { edgeString, invalidUtf8, jsonText, jsonValue, shortString } from './values.ts';

export interface RawRequest {
  /** Short description for failure reports (the bytes are in `bytes`). */
  label: string;
  /** Each entry is one socket write. */
  writes: Buffer[];
  /** Reset the TCP connection right after the last write instead of waiting for an answer. */
  reset: boolean;
}

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'HEAD',
  'TRACE',
  'CONNECT',
  'get',
  'G ET',
  '',
  'X'.repeat(300),
  'PRI',
  'POST\u0000',
];

function target(prng: Prng, ctx: FuzzContext): string {
  const id = () => encodeURIComponent(String(pickId(prng, ctx)));
  return prng.weighted<() => string>([
    [6, () => '/graphql'],
    [2, () => `/graphql?query=${encodeURIComponent('{ __typename }')}`],
    [1, () => `/graphql?query=${encodeURIComponent(String(jsonValue(prng)))}&variables=%7B`],
    [3, () => `/chat/sessions/${id()}/messages`],
    [1, () => `/chat/sessions/${id()}/messages/recent?limit=${encodeURIComponent(String(jsonValue(prng)))}`],
    [1, () => `/chat/sessions/${id()}/messages/count`],
    [2, () => `/chat/messages/${id()}`],
    [1, () => '/chat/openapi.json'],
    [1, () => `/api/sessions/${id()}/messages`],
    [
      1,
      () =>
        prng.pick([
          '//[',
          '//',
          '*',
          'http://[::1',
          'http://evil.example/graphql',
          '/graphql?%',
          '/chat/messages/%E0%A4%A',
          '/chat/sessions/%ff/messages',
          '/%00',
          '/graphql#x',
          '/../../x',
          '?',
          '/chat?x=%zz',
          'graphql',
          '/healthz?x=%',
        ]),
    ],
    [1, () => `/${'a'.repeat(prng.pick([100, 9000, 70_000]))}`],
    [1, () => `/chat/sessions/${edgeString(prng)}/messages`],
  ])();
}

function hostHeader(prng: Prng, ctx: FuzzContext): string[] {
  const good = `${ctx.host}:${ctx.port}`;
  return prng.weighted<() => string[]>([
    [8, () => [`Host: ${good}`]],
    [1, () => []],
    [1, () => [`Host: ${good}`, `Host: other.example`]],
    [
      2,
      () => [
        `Host: ${prng.pick(['[', '[::1', 'a b', 'example.com:99999', 'h:1:2', '%', '', '@', 'a/b', '\\', 'x#y', '::', '[::1]:x', 'a?b'])}`,
      ],
    ],
    [1, () => [`Host: ${'h'.repeat(prng.pick([300, 9000, 20_000]))}`]],
    [1, () => [`Host: ${edgeString(prng)}`]],
  ])();
}

function contentType(prng: Prng): string {
  return prng.pick([
    'application/json',
    'application/json',
    'application/graphql-response+json',
    'application/json; charset=utf-16',
    'application/json; charset=%%%',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'multipart/form-data',
    'application/graphql',
    ';;;',
    edgeString(prng),
  ]);
}

function body(prng: Prng, ctx: FuzzContext): Buffer {
  return prng.weighted<() => Buffer>([
    [6, () => jsonText(prng, graphqlPayload(prng, ctx))],
    [2, () => jsonText(prng, { content: prng.chance(0.7) ? edgeString(prng) : jsonValue(prng), metadata: jsonValue(prng) })],
    [1, () => jsonText(prng, [graphqlPayload(prng, ctx), graphqlPayload(prng, ctx)])],
    [1, () => jsonText(prng, jsonValue(prng))],
    [1, () => invalidUtf8(prng)],
    [1, () => Buffer.alloc(prng.pick([262_145, 400_000]), 0x61)],
    [1, () => Buffer.from(`{"query":"${'{'.repeat(5000)}"}`)],
    [1, () => Buffer.alloc(0)],
  ])();
}

/** How the body is framed: Content-Length (right or wrong), chunked (valid or not), both, or none. */
function framing(prng: Prng, payload: Buffer): { headers: string[]; bytes: Buffer } {
  const chunked = (chunks: Buffer[], trailer = '0\r\n\r\n') =>
    Buffer.concat([...chunks.flatMap((c) => [Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]), Buffer.from(trailer)]);
  return prng.weighted<() => { headers: string[]; bytes: Buffer }>([
    [8, () => ({ headers: [`Content-Length: ${payload.length}`], bytes: payload })],
    [
      1,
      () => ({
        headers: [
          `Content-Length: ${prng.pick([payload.length + 10, Math.max(0, payload.length - 1), -1, 2 ** 53, 'abc', `${payload.length}, ${payload.length + 1}`])}`,
        ],
        bytes: payload,
      }),
    ],
    [1, () => ({ headers: [`Content-Length: ${payload.length}`, `Content-Length: ${payload.length + 1}`], bytes: payload })],
    [
      2,
      () => ({
        headers: ['Transfer-Encoding: chunked'],
        bytes: chunked([payload.subarray(0, payload.length >> 1), payload.subarray(payload.length >> 1)].filter((c) => c.length > 0)),
      }),
    ],
    [
      2,
      () => ({
        headers: ['Transfer-Encoding: chunked'],
        bytes: Buffer.concat([
          Buffer.from(
            prng.pick([
              'zz\r\n',
              'ffffffffffffffff\r\n',
              '5\r\nabc\r\n',
              `${payload.length.toString(16)};ext=1\r\n`,
              '-1\r\n',
              '5\nabcde\n',
              '0x5\r\n',
            ]),
          ),
          payload,
          Buffer.from(prng.pick(['\r\n0\r\n\r\n', '', 'garbage', '\r\n0\r\nX-Trailer: 1\r\n\r\n'])),
        ]),
      }),
    ],
    [1, () => ({ headers: ['Transfer-Encoding: chunked', `Content-Length: ${payload.length}`], bytes: chunked([payload]) })],
    [
      1,
      () => ({ headers: [`Transfer-Encoding: ${prng.pick(['gzip', 'chunked, gzip', 'identity', 'chunked\u0000', 'x'])}`], bytes: payload }),
    ],
    [1, () => ({ headers: [], bytes: payload })],
  ])();
}

function otherHeaders(prng: Prng, ctx: FuzzContext): string[] {
  const headers: string[] = [];
  if (prng.chance(0.7))
    headers.push(
      `Authorization: ${prng.chance(0.85) ? 'Bearer ' : prng.pick(['', 'Basic ', 'bearer  ', 'Bearer'])}${pickToken(prng, ctx)}`,
    );
  if (prng.chance(0.1)) headers.push(`Authorization: Bearer ${pickToken(prng, ctx)}`);
  if (prng.chance(0.15)) headers.push(`Cookie: ${prng.pick(['jwt=', 'a=1; jwt=', 'jwt="', '; ;=;'])}${pickToken(prng, ctx)}`);
  if (prng.chance(0.2)) headers.push(`X-Request-Id: ${prng.chance(0.5) ? edgeString(prng) : shortString(prng)}`);
  if (prng.chance(0.2))
    headers.push(`Accept: ${prng.pick(['text/event-stream', 'application/graphql-response+json', '*/*', '', ';q=x', edgeString(prng)])}`);
  if (prng.chance(0.1)) headers.push(`Origin: ${prng.pick(['null', 'http://evil.example', edgeString(prng)])}`);
  if (prng.chance(0.1)) headers.push('x-graphql-csrf: 1');
  if (prng.chance(0.1)) headers.push(`Connection: ${prng.pick(['keep-alive', 'close', 'upgrade', 'x, y'])}`);
  if (prng.chance(0.05)) headers.push(`X-Big: ${'b'.repeat(prng.pick([8000, 17_000, 70_000]))}`);
  if (prng.chance(0.05)) headers.push(...Array.from({ length: prng.pick([100, 2100]) }, (_, i) => `X-Many-${i}: ${i}`));
  if (prng.chance(0.05))
    headers.push(prng.pick(['Bad Header: x', ': empty-name', 'NoColon', 'X-Fold: a\r\n  folded', 'X-Nul: a\u0000b', 'X-Ctl: \u0001']));
  if (prng.chance(0.05)) headers.push(`X-Utf8: ${edgeString(prng)}`);
  return headers;
}

/** One generated raw HTTP request. */
export function generateHttpRequest(prng: Prng, ctx: FuzzContext): RawRequest {
  const method = prng.chance(0.85) ? prng.pick(['GET', 'POST', 'POST', 'PUT', 'DELETE']) : prng.pick(METHODS);
  const path = target(prng, ctx);
  const version = prng.chance(0.92) ? 'HTTP/1.1' : prng.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', '', 'HTTP/0.9', 'http/1.1']);
  const hasBody = method !== 'GET' && method !== 'HEAD' ? prng.chance(0.9) : prng.chance(0.1);
  const payload = hasBody ? body(prng, ctx) : Buffer.alloc(0);
  const framed = hasBody ? framing(prng, payload) : { headers: [], bytes: payload };
  const headers = [
    ...hostHeader(prng, ctx),
    ...(hasBody ? [`Content-Type: ${contentType(prng)}`] : []),
    ...otherHeaders(prng, ctx),
    ...framed.headers,
    'Connection: close',
  ];
  const head = Buffer.from(`${method} ${path} ${version}\r\n${headers.join('\r\n')}\r\n\r\n`);
  // Sometimes split the request at an arbitrary byte (a slow or fragmented client).
  const whole = Buffer.concat([head, framed.bytes]);
  const writes = prng.chance(0.15) ? splitAt(whole, prng.int(1, Math.max(1, whole.length - 1))) : [whole];
  const reset = prng.chance(0.05);
  const label = `HTTP ${JSON.stringify(method).slice(0, 40)} ${JSON.stringify(path).slice(0, 80)} ${version} headers=${JSON.stringify(headers.map((h) => h.slice(0, 60))).slice(0, 400)} body=${framed.bytes.length}B${reset ? ' +reset' : ''}`;
  return { label, writes, reset };
}

function splitAt(bytes: Buffer, at: number): Buffer[] {
  return [bytes.subarray(0, at), bytes.subarray(at)];
}
