/**
 * Property tests for cursor decoding: whatever string a client sends as a cursor, Pothos'
 * decoding plus the services' cursor checks either yield a position this API issues or
 * fail with a client error (BAD_USER_INPUT or Pothos' validation error, both answered as
 * BAD_USER_INPUT); never a TypeError, RangeError or a value the database would refuse.
 */
import { formatPrismaCursor, parsePrismaCursor } from '@pothos/plugin-prisma';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.ts';
import { checkMessageCursor, checkSessionCursor } from '../../src/services/cursor-rules.ts';

const SESSION = '0b7e4a52-5a8e-4a57-9d37-1c2f8d1c9f10';
const MAX_SEQ = 2 ** 31 - 1;

/** The Prisma cursor a composite `sessionId_seq` cursor string decodes to, the way Pothos maps it. */
function decodeMessageCursor(raw: string): unknown {
  const parts = parsePrismaCursor(raw);
  if (!Array.isArray(parts) || parts.length !== 2) throw Object.assign(new Error('shape'), { name: 'PothosValidationError' });
  return { sessionId_seq: { sessionId: parts[0], seq: parts[1] } };
}

/** Runs `check`; returns 'ok', or 'client' for an error a client is told about; anything else throws. */
function outcome(check: () => void): 'ok' | 'client' {
  try {
    check();
    return 'ok';
  } catch (error) {
    if (isAppError(error) && error.code === 'BAD_USER_INPUT') return 'client';
    if (error instanceof Error && error.name === 'PothosValidationError') return 'client';
    throw error;
  }
}

const chunk = fc.oneof(
  fc.string().map((s) => `S:${s}`),
  fc.oneof(fc.double(), fc.integer(), fc.constantFrom('NaN', '1e400', '-0', '2147483648', '', 'x')).map((n) => `N:${n}`),
  fc.string().map((s) => `I:${s}`),
  fc.string().map((s) => `D:${s}`),
  fc.string().map((s) => `B:${s}`),
  fc.jsonValue().map((v) => `O:${JSON.stringify(v)}`),
  fc.constant('Z:'),
  fc.string().map((s) => `${s.slice(0, 1)}:${s}`),
);
const tuple = fc.array(fc.oneof(chunk, fc.constant(null)), { maxLength: 3 }).map((parts) => `T:${JSON.stringify(parts)}`);
const legacy = fc.array(fc.jsonValue(), { maxLength: 3 }).map((parts) => `J:${JSON.stringify(parts)}`);
const base64 = (text: string) => Buffer.from(text).toString('base64');
/** Strings a client might send: random text, random base64, and well-formed cursors with random contents. */
const rawCursor = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.base64String(),
  fc.oneof(chunk, tuple, legacy).map((payload) => base64(`GPC:${payload}`)),
);

describe('message cursors', () => {
  it('decode to a seq of this session or fail with a client error, whatever the string', () => {
    fc.assert(
      fc.property(rawCursor, (raw) => {
        let decoded: unknown;
        if (outcome(() => (decoded = decodeMessageCursor(raw))) === 'client') return;
        if (outcome(() => checkMessageCursor(SESSION, decoded)) === 'client') return;
        const { sessionId, seq } = (decoded as { sessionId_seq: { sessionId: unknown; seq: unknown } }).sessionId_seq;
        expect(sessionId).toBe(SESSION);
        expect(Number.isInteger(seq) && (seq as number) >= 1 && (seq as number) <= MAX_SEQ).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('accept every cursor the API issues, and nothing for another session', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_SEQ }), (seq) => {
        const raw = formatPrismaCursor({ sessionId: SESSION, seq }, ['sessionId', 'seq']);
        const decoded = decodeMessageCursor(raw);
        expect(decoded).toEqual({ sessionId_seq: { sessionId: SESSION, seq } });
        expect(outcome(() => checkMessageCursor(SESSION, decoded))).toBe('ok');
        expect(outcome(() => checkMessageCursor('another-session', decoded))).toBe('client');
      }),
    );
  });

  it('refuse any decoded value that is not an in-range integer seq of this session', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (sessionId, seq) => {
        const result = outcome(() => checkMessageCursor(SESSION, { sessionId_seq: { sessionId, seq } }));
        const valid = sessionId === SESSION && Number.isInteger(seq) && (seq as number) >= 1 && (seq as number) <= MAX_SEQ;
        expect(result).toBe(valid ? 'ok' : 'client');
      }),
    );
    fc.assert(fc.property(fc.anything(), (cursor) => void outcome(() => checkMessageCursor(SESSION, cursor))));
  });
});

describe('session cursors', () => {
  it('accept exactly the ids a session could have, whatever the cursor decodes to', () => {
    fc.assert(
      fc.property(rawCursor, (raw) => {
        let decoded: unknown;
        if (outcome(() => (decoded = parsePrismaCursor(raw))) === 'client') return;
        const valid =
          typeof decoded === 'string' &&
          decoded.length >= 1 &&
          decoded.length <= 64 &&
          decoded.isWellFormed() &&
          !decoded.includes('\u0000');
        expect(outcome(() => checkSessionCursor({ id: decoded }))).toBe(valid ? 'ok' : 'client');
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trip every issued cursor', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        const decoded = parsePrismaCursor(formatPrismaCursor({ id }, 'id'));
        expect(decoded).toBe(id);
        expect(outcome(() => checkSessionCursor({ id: decoded }))).toBe('ok');
      }),
    );
  });
});
