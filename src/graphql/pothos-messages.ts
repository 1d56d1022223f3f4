/**
 * Client-facing wording for Pothos' own validation errors. Pothos echoes a cursor it cannot
 * decode whole (a 200 KB cursor comes back as a 200 KB message) or shows what it decoded to;
 * every cursor failure reads the same as the services' cursor checks instead.
 */
import { INVALID_CURSOR_MESSAGE } from '../services/cursor-rules.ts';

/** The message to show for a PothosValidationError whose own message is `message`. */
export function pothosValidationMessage(message: string): string {
  return /cursor|base64/i.test(message) ? INVALID_CURSOR_MESSAGE : message;
}
