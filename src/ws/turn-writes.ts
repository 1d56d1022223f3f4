/**
 * Frames written directly to sockets during one turn of the event loop go out at its end
 * (setImmediate: after this turn's I/O callbacks), each socket's frames in one write. An
 * event fanned out to thousands costs a syscall per socket either way; when the server falls
 * behind, the sends that waited meanwhile are handled in the same turn, and their events then
 * share each socket's syscall instead of paying one each: the further behind, the cheaper a
 * delivery, so a backlog drains instead of growing. The sockets of one fan-out hold the same
 * frames in the same order, so the frames are joined once for all of them.
 */

/** What holds frames until the end of the turn. */
export interface TurnWriter {
  /** Writes what it holds now (a no-op when it already did). */
  writeHeld(): void;
  /** Called instead when writeHeld threw: the writer's socket is beyond use. */
  abandon(): void;
}

let due: TurnWriter[] = [];
let scheduled = false;

/** Calls `writer.writeHeld()` at the end of this turn (once, however often it is asked). */
export function writeAtEndOfTurn(writer: TurnWriter): void {
  due.push(writer);
  if (scheduled) return;
  scheduled = true;
  setImmediate(writeDue);
}

function writeDue(): void {
  const writers = due;
  due = [];
  scheduled = false;
  for (const writer of writers) {
    try {
      writer.writeHeld();
    } catch {
      writer.abandon();
    }
  }
  joinedParts = [];
  joined = null;
}

let joinedParts: readonly Buffer[] = [];
let joined: Buffer | null = null;

/** `frames` as one buffer; the same frames as the last call (the next socket of a fan-out) reuse its buffer. */
export function joinFrames(frames: readonly Buffer[]): Buffer {
  if (joined && sameFrames(frames, joinedParts)) return joined;
  joinedParts = frames.slice();
  joined = Buffer.concat(frames);
  return joined;
}

function sameFrames(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
