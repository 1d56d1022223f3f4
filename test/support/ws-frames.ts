/**
 * WebSocket frames built and read byte by byte (RFC 6455 §5), for tests and the fuzzer that must
 * send what no well-behaved client library would: unmasked frames, reserved bits or opcodes,
 * invalid close codes, invalid UTF-8, lengths that lie.
 */
import { randomBytes } from 'node:crypto';

export const Opcode = { Continuation: 0x0, Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;

export interface FrameOptions {
  opcode?: number;
  /** Clients must mask; false builds the protocol violation. */
  masked?: boolean;
  /** RSV1-3 as a 3-bit number (0 unless an extension was negotiated). */
  rsv?: number;
  fin?: boolean;
}

export interface FrameSpec {
  payload: Buffer;
  /** Default text. Any 4-bit value is allowed, reserved ones included. */
  opcode?: number;
  /** Default true. */
  fin?: boolean;
  /** The three reserved bits (RSV1–3) as a number 0–7; default 0. */
  rsv?: number;
  /** The 4-byte masking key; `null` sends the frame unmasked (a protocol error from a client). Default a fixed key. */
  mask?: Buffer | null;
  /** Encode the length in the 64-bit form even when it is small (allowed, but unusual). Default false. */
  longLength?: boolean;
  /** Announce this length instead of the payload's (a lie about the frame's size). */
  claimedLength?: number;
}

const DEFAULT_MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

export function encodeFrame(spec: FrameSpec): Buffer {
  const { payload, opcode = Opcode.Text, fin = true, rsv = 0, longLength = false } = spec;
  const mask = spec.mask === undefined ? DEFAULT_MASK : spec.mask;
  const length = spec.claimedLength ?? payload.length;
  const first = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  const maskBit = mask ? 0x80 : 0;
  let header: Buffer;
  if (length < 126 && !longLength) {
    header = Buffer.from([first, maskBit | length]);
  } else if (length < 65536 && !longLength) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = maskBit | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!mask) return Buffer.concat([header, payload]);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([header, mask, masked]);
}

/** A close frame's payload: a 2-byte code and a reason (raw bytes, so it may be invalid UTF-8). */
export function closePayload(code: number, reason: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(code & 0xffff, 0);
  return Buffer.concat([out, reason]);
}

/** One client frame carrying `payload` (a string is sent as its UTF-8 bytes), masked with a random key. */
export function clientFrame(payload: Buffer | string, options: FrameOptions = {}): Buffer {
  const { opcode = Opcode.Text, masked = true, rsv = 0, fin = true } = options;
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return encodeFrame({ payload: data, opcode, rsv, fin, mask: masked ? randomBytes(4) : null });
}

/** A masked text frame with the JSON of `message` (or the string as is). */
export function textFrame(message: unknown): Buffer {
  return clientFrame(typeof message === 'string' ? message : JSON.stringify(message));
}

/** A masked close frame with `code` (any number, valid or not) and `reason`. */
export function closeFrame(code: number, reason = ''): Buffer {
  return clientFrame(closePayload(code, Buffer.from(reason)), { opcode: Opcode.Close });
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** Splits complete frames (server frames are unmasked; masked ones are read too) off `buffer`; returns them and the rest. */
export function readServerFrames(buffer: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const opcode = buffer[offset]! & 0x0f;
    const masked = (buffer[offset + 1]! & 0x80) !== 0;
    let length = buffer[offset + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (buffer.length - offset < 4) break;
      length = buffer.readUInt16BE(offset + 2);
      header = 4;
    } else if (length === 127) {
      if (buffer.length - offset < 10) break;
      length = Number(buffer.readBigUInt64BE(offset + 2));
      header = 10;
    }
    if (masked) header += 4;
    if (buffer.length - offset < header + length) break;
    frames.push({ opcode, payload: buffer.subarray(offset + header, offset + header + length) });
    offset += header + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}
