/**
 * The hot state of streamed replies: the text so far, the next chunk index and the status,
 * shared by every instance that takes appends for a reply. The store is a port like the
 * pubsub: in process memory without Redis, in Redis (atomic scripts) with it. An accepted
 * append is published as a MESSAGE_DELTA on the session's channel by the store itself, in the
 * same step that stores it, so deltas reach readers in offset order whichever instance took them.
 */

export type ReplyStatus = 'STREAMING' | 'COMPLETE' | 'CANCELLED' | 'FAILED';

export interface ReplyState {
  sessionId: string;
  authorId: string;
  status: ReplyStatus;
  /** Everything appended so far. */
  text: string;
  /** Length of `text` in Unicode code points (the unit of offsets and MAX_MESSAGE_LENGTH). */
  length: number;
  /** Index the next new chunk must carry. */
  nextIndex: number;
  /** When the last chunk was accepted (ms epoch; the start when none was). */
  appendedAt: number;
}

/** One chunk to append, with its length in code points measured by the caller. */
export interface ReplyChunk {
  index: number;
  text: string;
  length: number;
}

export type AppendOutcome =
  | { kind: 'missing' }
  | { kind: 'not-author' }
  | { kind: 'ended'; status: ReplyStatus; length: number; nextIndex: number }
  | {
      kind: 'appended';
      length: number;
      nextIndex: number;
      /** Why the batch stopped early (chunks before it were stored), or null when all were taken. */
      stopped: 'OUT_OF_ORDER' | 'TOO_LONG' | null;
    };

export interface FinishOutcome {
  /** True when this call moved the reply out of STREAMING (only one caller ever does). */
  won: boolean;
  state: ReplyState;
}

export interface ReplyStateStore {
  /** Records a new reply (or, after a restart, one rebuilt from the database); keeps an existing state. */
  open(messageId: string, state: ReplyState): Promise<void>;
  /**
   * Appends the chunks (sorted by index) whose index is the next expected one, skipping any
   * already stored, up to `maxLength` code points in all; publishes what was stored as one delta.
   */
  append(messageId: string, authorId: string, chunks: readonly ReplyChunk[], maxLength: number): Promise<AppendOutcome>;
  /** The state, or null when none is kept (never opened here, or expired after it ended). */
  read(messageId: string): Promise<ReplyState | null>;
  /** Moves a STREAMING reply to `status`; a reply already ended keeps its status (won: false). */
  finish(messageId: string, status: Exclude<ReplyStatus, 'STREAMING'>): Promise<FinishOutcome | null>;
  /** The database now holds the final state: the hot copy may go after a short grace period. */
  release(messageId: string): Promise<void>;
  close(): void;
}

/** How long an ended reply's hot state stays, so late appends and readers still see its status. */
export const ENDED_STATE_TTL_MS = 60_000;

/** Length in Unicode code points. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The text from code point `offset` on. */
export function sliceFromCodePoint(text: string, offset: number): string {
  if (offset <= 0) return text;
  let units = 0;
  let points = 0;
  for (const char of text) {
    if (points === offset) break;
    units += char.length;
    points++;
  }
  return text.slice(units);
}
