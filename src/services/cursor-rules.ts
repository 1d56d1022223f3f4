/**
 * Connection cursors as Pothos decodes them. A cursor is client-controlled base64, so what
 * it decodes to may be any tagged value (a string seq, NaN, a number past 2^31, an object);
 * only the shape this API issues is handed on to the database, anything else is
 * BAD_USER_INPUT rather than a query the database refuses.
 */
import { badInput } from '../errors.ts';
import { isUsableId } from './id-rules.ts';

/** The message for every cursor this API could not have issued. */
export const INVALID_CURSOR_MESSAGE =
  'Invalid cursor: pass back a cursor (an edge cursor, startCursor or endCursor) exactly as this API returned it';

/** Largest seq a message can have (the column is a 32-bit integer). */
const MAX_SEQ = 2 ** 31 - 1;

/** A decoded sessions-connection cursor: `{ id }` with a usable session id. */
export function checkSessionCursor(cursor: unknown): void {
  if (cursor === undefined) return;
  if (!isUsableId(field(cursor, 'id'))) throw badInput(INVALID_CURSOR_MESSAGE);
}

/** A decoded messages-connection cursor: `{ sessionId_seq: { sessionId, seq } }` of this session. */
export function checkMessageCursor(sessionId: string, cursor: unknown): void {
  if (cursor === undefined) return;
  const key = field(cursor, 'sessionId_seq');
  const seq = field(key, 'seq');
  if (!isUsableId(field(key, 'sessionId')) || !Number.isInteger(seq) || (seq as number) < 1 || (seq as number) > MAX_SEQ) {
    throw badInput(INVALID_CURSOR_MESSAGE);
  }
  if (field(key, 'sessionId') !== sessionId) {
    throw badInput('Invalid cursor: it belongs to another session; page each session with its own cursors');
  }
}

function field(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}
