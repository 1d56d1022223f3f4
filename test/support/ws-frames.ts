/**
 * WebSocket frames built and read byte by byte (RFC 6455 §5), for tests that must send
 * what no well-behaved client library would: unmasked frames, reserved bits or opcodes,
 * invalid close codes, invalid UTF-8.
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

/** One client frame carrying `payload` (a string is sent as its UTF-8 bytes). */
export function clientFrame(payload: Buffer | string, options: FrameOptions = {}): Buffer {
  const { opcode = Opcode.Text, masked = true, rsv = 0, fin = true } = options;
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const first = (fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0xf);
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (data.length < 126) header = Buffer.from([first, maskBit | data.length]);
  else if (data.length < 65536) header = Buffer.from([first, maskBit | 126, data.length >> 8, data.length & 0xff]);
  else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  if (!masked) return Buffer.concat([header, data]);
  const mask = randomBytes(4);
  const body = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) body[i] = data[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, body]);
}

/** A masked text frame with the JSON of `message` (or the string as is). */
export function textFrame(message: unknown): Buffer {
  return clientFrame(typeof message === 'string' ? message : JSON.stringify(message));
}

/** A masked close frame with `code` (any number, valid or not) and `reason`. */
export function closeFrame(code: number, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return clientFrame(payload, { opcode: Opcode.Close });
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** Splits complete server (unmasked) frames off the front of `buffer`; returns them and the rest. */
export function readServerFrames(buffer: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const opcode = buffer[offset]! & 0xf;
    let length = buffer[offset + 1]! & 0x7f;
    let start = offset + 2;
    if (length === 126) {
      if (buffer.length - offset < 4) break;
      length = buffer.readUInt16BE(offset + 2);
      start = offset + 4;
    } else if (length === 127) {
      if (buffer.length - offset < 10) break;
      length = Number(buffer.readBigUInt64BE(offset + 2));
      start = offset + 10;
    }
    if (buffer.length < start + length) break;
    frames.push({ opcode, payload: buffer.subarray(start, start + length) });
    offset = start + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}
