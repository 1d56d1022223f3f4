/**
 * The end of a turn of the event loop (setImmediate: after this turn's I/O callbacks), where
 * socket writers write the frames they held back during it, each socket's in one write. An
 * event fanned out to thousands costs a syscall per socket; when the server falls behind,
 * the sends that waited meanwhile are handled in one turn, and their events then share each
 * socket's syscall instead of paying one each: the further behind, the cheaper a delivery, so
 * a backlog drains instead of growing. The sockets of one fan-out hold the same frames in the
 * same order, so the frames are joined once for all of them.
 */

/** What holds frames until the end of the turn. */
export interface TurnWriter {
  /** The turn ended: write what is held. */
  endTurn(): void;
  /** Called instead when endTurn threw: the writer's socket is beyond use. */
  abandon(): void;
}

let due: TurnWriter[] = [];
let scheduled = false;

/** Calls `writer.endTurn()` at the end of this turn (ask once per turn). */
export function callAtEndOfTurn(writer: TurnWriter): void {
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
      writer.endTurn();
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
