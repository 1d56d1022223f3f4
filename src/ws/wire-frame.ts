/**
 * WebSocket text frames as they go on the wire from a server (RFC 6455 §5.2: FIN, opcode 1,
 * unmasked, 7/16/64-bit length). A `next` frame shared by thousands of sockets is framed
 * once here and written to each socket as is, instead of being framed again per socket.
 */

/** `payload` framed as one unmasked, uncompressed text frame. */
export function encodeTextFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (headerLength === 2) frame[1] = length;
  else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/** The payload of a frame encodeTextFrame built (no copy). */
export function textFramePayload(frame: Buffer): Buffer {
  const marker = frame[1]! & 0x7f;
  return frame.subarray(marker < 126 ? 2 : marker === 126 ? 4 : 10);
}
