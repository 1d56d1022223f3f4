/**
 * Which ids and user ids can exist at all. Session and message ids are server-generated
 * UUIDs; anything that is empty, very long, holds a NUL or is not valid Unicode cannot
 * name a stored row, so it answers like any unknown id without reaching the database
 * (PostgreSQL refuses a NUL in text outright, and turns a lone surrogate into U+FFFD).
 */
import { notFound, type AppError } from '../errors.ts';

const MAX_ID_LENGTH = 64;
const MAX_USER_ID_LENGTH = 256;

/** Valid Unicode without NUL: the only text both databases store and compare exactly. */
export function isStorableText(text: string): boolean {
  return text.isWellFormed() && !text.includes('\u0000');
}

/** Whether `id` could be a session or message id (1 to 64 characters of storable text). */
export function isUsableId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH && isStorableText(id);
}

/** Whether `id` could be a user id (a token's `sub`, a participant): 1 to 256 characters of storable text. */
export function isUsableUserId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_USER_ID_LENGTH && isStorableText(id);
}

/** NOT_FOUND for an id that cannot exist; its unprintable characters are not echoed back. */
export function unknownId(what: string, id: string): AppError {
  return notFound(what, printable(id));
}

/** Throws NOT_FOUND (like any missing `what`) unless `id` could exist. */
export function assertUsableId(what: string, id: string): void {
  if (!isUsableId(id)) throw unknownId(what, id);
}

function printable(id: string): string {
  return String(id).toWellFormed().replaceAll('\u0000', '\uFFFD');
}
