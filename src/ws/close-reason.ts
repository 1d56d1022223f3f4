/** The protocol's limit on a close frame's reason (RFC 6455 §5.5: 125 bytes of payload, 2 for the code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * `reason` cut to at most 123 UTF-8 bytes on a character boundary, so that `ws.close`
 * never throws (it refuses longer reasons with a RangeError) whatever a client put in it.
 */
export function truncateCloseReason(reason: string): string {
  const bytes = Buffer.from(reason);
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return bytes.toString();
  let end = MAX_CLOSE_REASON_BYTES;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that does not fit.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString();
}
