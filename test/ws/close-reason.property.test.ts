import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CLOSE_REASON_BYTES, truncateCloseReason } from '../../src/ws/close-reason.ts';

/** What the string becomes on the wire (lone surrogates turn into U+FFFD). */
const wellFormed = (text: string) => Buffer.from(text).toString();

describe('close reasons', () => {
  it('keeps a reason that fits and cuts a long one to 123 bytes on a character boundary', () => {
    expect(truncateCloseReason('Unauthorized')).toBe('Unauthorized');
    const reason = `Subscriber for a${'一'.repeat(63)} already exists`;
    const cut = truncateCloseReason(reason);
    expect(Buffer.byteLength(cut)).toBe(121); // 16 ASCII bytes + 35 whole three-byte characters
    expect(reason.startsWith(cut)).toBe(true);
    expect(truncateCloseReason('😀'.repeat(40))).toBe('😀'.repeat(30));
  });

  it('never exceeds 123 bytes, never splits a character, and keeps as much as fits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (reason) => {
        const cut = truncateCloseReason(reason);
        const bytes = Buffer.byteLength(cut);
        expect(bytes).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
        // A prefix of what was meant: a split character would decode to U+FFFD and not match.
        expect(wellFormed(reason).startsWith(cut)).toBe(true);
        if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) expect(cut).toBe(wellFormed(reason));
        // A longer reason loses less than one character (at most 3 bytes short of the limit).
        else expect(bytes).toBeGreaterThanOrEqual(MAX_CLOSE_REASON_BYTES - 3);
      }),
      { numRuns: 1000 },
    );
  });
});
