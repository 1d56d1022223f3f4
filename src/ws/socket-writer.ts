/**
 * Back-pressure for one socket. Frames go to the socket only while little is waiting in
 * it; the rest waits here, so the socket itself never holds much. Above
 * WS_MAX_BUFFERED_BYTES `send` refuses (the caller closes with 1013). On close, frames
 * still waiting here are dropped, so the close frame goes right behind what the socket
 * already has: a client that keeps reading, however slowly, receives the close code
 * instead of a cut connection (1006). Its socket only holds about one frame here, so
 * waiting for it is cheap: the ws library drops a peer that has not completed the close
 * handshake 30 s after our close frame (its `closeTimeout`).
 *
 * Frames already framed for the wire (wire-frame.ts: a `next` frame shared by a fan-out)
 * are written to the TCP socket directly, beside ws's own writes. That is safe while no
 * extension is negotiated: ws then writes every message as one whole frame, synchronously,
 * so whole frames of ours never land inside one of its own. The first of a turn of the event
 * loop goes at once; later ones of that turn (and every one of a turn after a turn with several:
 * the server is behind) are held and go out at its end (turn-writes.ts) in one write, as if the
 * kernel had taken them at once: they count towards neither the high-water mark nor
 * WS_MAX_BUFFERED_BYTES, and any other write, or a close, writes them first.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { truncateCloseReason } from './close-reason.ts';
import { callAtEndOfTurn, joinFrames, type TurnWriter } from './turn-writes.ts';
import { textFramePayload } from './wire-frame.ts';

/** Frames are handed to the socket while it holds less than this. */
const SOCKET_HIGH_WATER_BYTES = 64 * 1024;
const TEXT_FRAME = { binary: false } as const;
/** Written with a callback behind direct frames: the callback runs once everything before it has gone to the kernel. */
const NOTHING = Buffer.alloc(0);
/** What every writer with nothing waiting holds (most of them, most of the time): never pushed to. */
const NOTHING_WAITING: never[] = [];

interface Waiting {
  data: string | Buffer;
  bytes: number;
  /** `data` is a whole wire frame (see sendFrame). */
  framed: boolean;
}

export class SocketWriter implements TurnWriter {
  /** Frames not yet handed to the socket, oldest first from `head`. */
  private waiting: Waiting[] = NOTHING_WAITING;
  private head = 0;
  private waitingBytes = 0;
  private closing = false;
  private readonly pump = (): void => this.flush();
  /** A wake-up (see wake) is written and has not come back yet. */
  private wakePending = false;
  private readonly woken = (): void => {
    this.wakePending = false;
    this.flush();
  };
  /** Direct frames held until the end of the turn (made on the first), and their size. */
  private held: Buffer[] | null = null;
  private heldBytes = 0;
  /** Waiting for the end of the turn (see turn-writes.ts). */
  private due = false;
  /** Direct frames of this turn so far; whether the last turn had several (every frame of this one is then held). */
  private turnFrames = 0;
  private coalescing = false;
  /** Whether wire frames may go to `tcp` directly (no extension negotiated; fixed at the handshake). */
  private readonly direct: boolean;

  /** `tcp`: the socket under `socket` (the upgrade request's), where wire frames are written. */
  constructor(
    private readonly socket: WebSocket,
    private readonly tcp: Duplex,
    private readonly maxBufferedBytes: number,
  ) {
    this.direct = socket.extensions === '';
  }

  /** Bytes written but not yet handed to the kernel, plus those waiting here. */
  get bufferedBytes(): number {
    return this.waitingBytes + this.heldBytes + this.socket.bufferedAmount;
  }

  /** Queues a message; false (and nothing queued) when more than WS_MAX_BUFFERED_BYTES are already waiting. */
  send(data: string | Buffer): boolean {
    return this.enqueue(data, false);
  }

  /** As send, for a whole text frame built by wire-frame.ts. */
  sendFrame(frame: Buffer): boolean {
    return this.enqueue(frame, true);
  }

  /** Writes the frames held for the end of the turn, drops what still waits here and sends the close frame (reason cut to 123 bytes). */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.writeHeld();
    this.closing = true;
    this.waiting = NOTHING_WAITING;
    this.head = 0;
    this.waitingBytes = 0;
    this.socket.close(code, truncateCloseReason(reason));
  }

  private enqueue(data: string | Buffer, framed: boolean): boolean {
    if (this.closing || this.socket.readyState !== this.socket.OPEN) return true;
    const buffered = this.socket.bufferedAmount;
    if (this.waitingBytes + buffered > this.maxBufferedBytes) return false;
    // Nothing waiting and room in the socket (the usual case): straight through, nothing queued.
    if (this.head === this.waiting.length && buffered < SOCKET_HIGH_WATER_BYTES) {
      if (framed && this.direct) this.directFrame(data as Buffer);
      else {
        this.writeHeld();
        this.write(data, framed);
      }
      return true;
    }
    this.writeHeld();
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (this.waiting === NOTHING_WAITING) this.waiting = [];
    this.waiting.push({ data, bytes, framed });
    this.waitingBytes += bytes;
    this.flush();
    return true;
  }

  private directFrame(frame: Buffer): void {
    if (!this.due) {
      this.due = true;
      callAtEndOfTurn(this);
    }
    this.turnFrames += 1;
    if ((this.turnFrames > 1 || this.coalescing) && this.heldBytes < SOCKET_HIGH_WATER_BYTES) {
      this.held ??= [];
      this.held.push(frame);
      this.heldBytes += frame.length;
      return;
    }
    this.writeHeld();
    this.tcp.write(frame);
  }

  endTurn(): void {
    this.due = false;
    this.coalescing = this.turnFrames > 1;
    this.turnFrames = 0;
    this.writeHeld();
  }

  /** Writes the held frames, in one write. */
  private writeHeld(): void {
    const held = this.held;
    if (!held || held.length === 0) return;
    if (!this.closing && this.socket.readyState === this.socket.OPEN) this.tcp.write(held.length === 1 ? held[0]! : joinFrames(held));
    held.length = 0;
    this.heldBytes = 0;
  }

  abandon(): void {
    this.held = null;
    this.heldBytes = 0;
    this.socket.terminate();
  }

  /**
   * Writes through ws pump what waits here once the socket has taken them. Direct frames carry
   * no callback: a write with one costs the stream a tick and an allocation even when the kernel
   * took it at once (a fan-out makes thousands per event); what waits is woken by wake() instead.
   */
  private write(data: string | Buffer, framed: boolean): void {
    if (!framed) this.socket.send(data, TEXT_FRAME, this.pump);
    else if (this.direct) this.tcp.write(data);
    else this.socket.send(textFramePayload(data as Buffer), TEXT_FRAME, this.pump);
  }

  /**
   * Frames wait here: flush again once the socket has handed what it holds to the kernel. An
   * empty write's callback runs after every write before it (the stream keeps their order).
   * Direct mode only: there every byte ws counts is the TCP socket's, so this waits on real I/O;
   * through ws (an extension negotiated), every write carries the pump already.
   */
  private wake(): void {
    if (this.wakePending || !this.direct) return;
    this.wakePending = true;
    this.tcp.write(NOTHING, this.woken);
  }

  private flush(): void {
    while (this.head < this.waiting.length && this.socket.bufferedAmount < SOCKET_HIGH_WATER_BYTES) {
      if (this.closing || this.socket.readyState !== this.socket.OPEN) return;
      const { data, bytes, framed } = this.waiting[this.head++]!;
      this.waitingBytes -= bytes;
      this.write(data, framed);
    }
    // Forget sent frames now and then rather than shifting the array on every send (without
    // allocating when nothing waits: every pump lands here).
    if (this.head === this.waiting.length) {
      this.waiting = NOTHING_WAITING;
      this.head = 0;
      return;
    }
    this.wake();
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  }
}
