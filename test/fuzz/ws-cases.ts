/**
 * Generated WebSocket sessions: an upgrade request (often valid, sometimes not), then
 * graphql-transport-ws messages in any order with fields of any type, inside frames that
 * are sometimes malformed at the framing level.
 */
import { graphqlPayload, pickToken, type FuzzContext } from './fuzz-context.ts';
import type { Prng } from './prng.ts';
import { edgeString, invalidUtf8, jsonText, jsonValue, shortString } from './values.ts';
import { closePayload, encodeFrame, Opcode } from '../support/ws-frames.ts';

export interface WsSession {
  label: string;
  upgrade: Buffer;
  /** Whether the upgrade is well formed and should be accepted (101). */
  validUpgrade: boolean;
  /** Reset the TCP connection right after the upgrade request, before any answer. */
  resetAfterUpgrade: boolean;
  /** Socket writes after the 101; each may hold several frames. */
  writes: Buffer[];
  /** Reset instead of closing cleanly after the writes. */
  resetAtEnd: boolean;
}

const MESSAGE_TYPES = ['connection_init', 'ping', 'pong', 'subscribe', 'complete', 'next', 'error', 'connection_ack', 'unknown', ''];

function upgradeRequest(prng: Prng, ctx: FuzzContext): { bytes: Buffer; valid: boolean; label: string } {
  let valid = true;
  const bad = <T>(probability: number, good: T, bads: () => T): T => {
    if (!prng.chance(probability)) return good;
    valid = false;
    return bads();
  };
  const path = bad(0.1, '/graphql', () =>
    prng.pick(['//[', '/nope', '/graphql/', '*', '//', '/graphql?x=%', `/${edgeString(prng)}`, 'http://[::1']),
  );
  const protocol = bad(0.08, 'graphql-transport-ws', () =>
    prng.pick([
      '',
      'graphql-ws',
      'a, graphql-transport-ws',
      ',,,',
      'x'.repeat(5000),
      edgeString(prng),
      'graphql-transport-ws graphql-transport-ws',
    ]),
  );
  const key = bad(0.06, randomKey(prng), () => prng.pick(['', 'short', '!!!!', 'A'.repeat(5000), edgeString(prng)]));
  const version = bad(0.06, '13', () => prng.pick(['', '8', 'abc', '99', '13, 8', '-13']));
  const headers = [
    `Host: ${ctx.host}:${ctx.port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    `Sec-WebSocket-Version: ${version}`,
  ];
  if (protocol !== '' || prng.chance(0.5)) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  if (prng.chance(0.05)) headers.push(`Sec-WebSocket-Key: ${randomKey(prng)}`);
  if (prng.chance(0.15)) headers.push(`Origin: ${prng.pick(['http://localhost', 'null', 'http://evil.example', edgeString(prng), ''])}`);
  if (prng.chance(0.1))
    headers.push(
      `Sec-WebSocket-Extensions: ${prng.pick(['permessage-deflate', 'permessage-deflate; client_max_window_bits=99', 'x', ';;;'])}`,
    );
  if (prng.chance(0.1)) headers.push(`Authorization: Bearer ${pickToken(prng, ctx)}`);
  if (prng.chance(0.05)) headers[0] = prng.pick(['Host: [', 'Host:', `Host: ${edgeString(prng)}`]);
  if (prng.chance(0.03)) {
    valid = false;
    headers.splice(1, 1);
  }
  const method = prng.chance(0.97) ? 'GET' : ((valid = false), prng.pick(['POST', 'PUT', 'G ET']));
  const bytes = Buffer.from(`${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
  return {
    bytes,
    valid,
    label: `upgrade ${method} ${JSON.stringify(path).slice(0, 60)} ${JSON.stringify(headers.slice(1).map((h) => h.slice(0, 50))).slice(0, 300)}`,
  };
}

function randomKey(prng: Prng): string {
  return prng.bytes(16).toString('base64');
}

/** One graphql-transport-ws message, from well formed to wrong in every field. */
function message(prng: Prng, ctx: FuzzContext): unknown {
  const type = prng.weighted<unknown>([
    [10, prng.pick(MESSAGE_TYPES)],
    [2, edgeString(prng)],
    [1, jsonValue(prng)],
  ]);
  const id = prng.weighted<unknown>([
    [6, prng.pick(['1', '2', 'a'])],
    [3, edgeString(prng)],
    [1, jsonValue(prng)],
  ]);
  const payload = prng.weighted<unknown>([
    [6, type === 'connection_init' ? { token: pickToken(prng, ctx) } : graphqlPayload(prng, ctx)],
    [2, jsonValue(prng)],
    [1, { authorization: `Bearer ${pickToken(prng, ctx)}` }],
  ]);
  const out: Record<string, unknown> = { type };
  if (prng.chance(0.8)) out.id = id;
  if (prng.chance(0.8)) out.payload = payload;
  if (prng.chance(0.05)) out[shortString(prng)] = jsonValue(prng);
  return prng.chance(0.05) ? jsonValue(prng) : out;
}

/** Wraps one message's bytes in frames: mostly a masked text frame, sometimes something a client must not send. */
function frameFor(prng: Prng, data: Buffer): { bytes: Buffer; label: string } {
  return prng.weighted<() => { bytes: Buffer; label: string }>([
    [30, () => ({ bytes: encodeFrame({ payload: data }), label: 'text' })],
    [2, () => ({ bytes: encodeFrame({ payload: data, opcode: Opcode.Binary }), label: 'binary' })],
    [
      2,
      () => {
        const cut = data.length >> 1;
        return {
          bytes: Buffer.concat([
            encodeFrame({ payload: data.subarray(0, cut), fin: false }),
            encodeFrame({ payload: data.subarray(cut), opcode: Opcode.Continuation }),
          ]),
          label: 'fragmented',
        };
      },
    ],
    [1, () => ({ bytes: encodeFrame({ payload: data, mask: null }), label: 'unmasked' })],
    [1, () => ({ bytes: encodeFrame({ payload: data, rsv: prng.int(1, 7) }), label: 'rsv' })],
    [
      1,
      () => ({ bytes: encodeFrame({ payload: data, opcode: prng.pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) }), label: 'bad-opcode' }),
    ],
    [1, () => ({ bytes: encodeFrame({ payload: data, opcode: Opcode.Continuation }), label: 'stray-continuation' })],
    [1, () => ({ bytes: encodeFrame({ payload: data, fin: false }), label: 'unfinished' })],
    [1, () => ({ bytes: encodeFrame({ payload: data, longLength: true }), label: 'long-length' })],
    [1, () => ({ bytes: encodeFrame({ payload: data, claimedLength: prng.pick([70_000, 2 ** 32, 2 ** 53]) }), label: 'claims-huge' })],
    [
      1,
      () => ({
        bytes: encodeFrame({ payload: Buffer.concat([data.subarray(0, data.length >> 1), invalidUtf8(prng)]) }),
        label: 'invalid-utf8',
      }),
    ],
    [1, () => ({ bytes: encodeFrame({ payload: Buffer.alloc(prng.pick([65_537, 200_000]), 0x20) }), label: 'oversized' })],
  ])();
}

/** A frame that is not a message at all: control frames (valid and not), close codes, garbage. */
function controlFrame(prng: Prng): { bytes: Buffer; label: string } {
  return prng.weighted<() => { bytes: Buffer; label: string }>([
    [3, () => ({ bytes: encodeFrame({ payload: prng.bytes(prng.int(0, 125)), opcode: Opcode.Ping }), label: 'ping' })],
    [1, () => ({ bytes: encodeFrame({ payload: prng.bytes(prng.int(0, 20)), opcode: Opcode.Pong }), label: 'pong' })],
    [1, () => ({ bytes: encodeFrame({ payload: prng.bytes(126 + prng.int(0, 200)), opcode: Opcode.Ping }), label: 'ping>125' })],
    [1, () => ({ bytes: encodeFrame({ payload: Buffer.alloc(4), opcode: Opcode.Ping, fin: false }), label: 'fragmented-ping' })],
    [
      3,
      () => {
        const code = prng.pick([1000, 1001, 0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 3000, 4000, 4406, 4999, 5000, 65535]);
        const reason = prng.weighted<Buffer>([
          [3, Buffer.from(shortString(prng))],
          [1, invalidUtf8(prng)],
          [1, Buffer.from('一'.repeat(prng.pick([40, 41, 42])))],
        ]);
        return { bytes: encodeFrame({ payload: closePayload(code, reason), opcode: Opcode.Close }), label: `close ${code}` };
      },
    ],
    [1, () => ({ bytes: encodeFrame({ payload: Buffer.from([0x03]), opcode: Opcode.Close }), label: 'close-1-byte' })],
    [1, () => ({ bytes: prng.bytes(prng.int(1, 64)), label: 'garbage' })],
  ])();
}

/** One generated WebSocket session. */
export function generateWsSession(prng: Prng, ctx: FuzzContext): WsSession {
  const upgrade = upgradeRequest(prng, ctx);
  const labels: string[] = [];
  const writes: Buffer[] = [];
  const text = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null');
  if (prng.chance(0.6)) {
    writes.push(encodeFrame({ payload: text({ type: 'connection_init', payload: { token: ctx.token } }) }));
    labels.push('init');
  }
  const count = prng.int(1, 6);
  for (let i = 0; i < count; i++) {
    const kind = prng.weighted<'message' | 'twice' | 'control'>([
      [8, 'message'],
      [2, 'twice'],
      [2, 'control'],
    ]);
    if (kind === 'control') {
      const frame = controlFrame(prng);
      writes.push(frame.bytes);
      labels.push(frame.label);
      continue;
    }
    const value = message(prng, ctx);
    const data = prng.chance(0.9) ? text(value) : jsonText(prng, value);
    const frame = frameFor(prng, data);
    // The same frame twice in one write: duplicate ids, double init, racing handlers.
    writes.push(kind === 'twice' ? Buffer.concat([frame.bytes, frame.bytes]) : frame.bytes);
    labels.push(`${kind === 'twice' ? '2×' : ''}${frame.label}:${JSON.stringify(value)?.slice(0, 120)}`);
  }
  // Sometimes everything in one write, so the server parses several frames in one tick.
  const merged = prng.chance(0.3) ? [Buffer.concat(writes)] : writes;
  const resetAtEnd = prng.chance(0.1);
  const resetAfterUpgrade = prng.chance(upgrade.valid ? 0.03 : 0.2);
  return {
    label: `WS ${upgrade.label}${resetAfterUpgrade ? ' +reset-after-upgrade' : ''} frames=[${labels.join(' | ')}]${resetAtEnd ? ' +reset' : ''}`,
    upgrade: upgrade.bytes,
    validUpgrade: upgrade.valid,
    resetAfterUpgrade,
    writes: merged,
    resetAtEnd,
  };
}
