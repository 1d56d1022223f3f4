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
 * so whole frames of ours never land inside one of its own.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { truncateCloseReason } from './close-reason.ts';
import { textFramePayload } from './wire-frame.ts';

/** Frames are handed to the socket while it holds less than this. */
const SOCKET_HIGH_WATER_BYTES = 64 * 1024;
const TEXT_FRAME = { binary: false } as const;
/** What every writer with nothing waiting holds (most of them, most of the time): never pushed to. */
const NOTHING_WAITING: never[] = [];

interface Waiting {
  data: string | Buffer;
  bytes: number;
  /** `data` is a whole wire frame (see sendFrame). */
  framed: boolean;
}

export class SocketWriter {
  /** Frames not yet handed to the socket, oldest first from `head`. */
  private waiting: Waiting[] = NOTHING_WAITING;
  private head = 0;
  private waitingBytes = 0;
  private closing = false;
  private readonly pump = (): void => this.flush();
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
    return this.waitingBytes + this.socket.bufferedAmount;
  }

  /** Queues a message; false (and nothing queued) when more than WS_MAX_BUFFERED_BYTES are already waiting. */
  send(data: string | Buffer): boolean {
    return this.enqueue(data, false);
  }

  /** As send, for a whole text frame built by wire-frame.ts. */
  sendFrame(frame: Buffer): boolean {
    return this.enqueue(frame, true);
  }

  /** Drops what is still waiting here and sends the close frame (reason cut to 123 bytes). */
  close(code: number, reason: string): void {
    if (this.closing) return;
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
      this.write(data, framed);
      return true;
    }
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (this.waiting === NOTHING_WAITING) this.waiting = [];
    this.waiting.push({ data, bytes, framed });
    this.waitingBytes += bytes;
    this.flush();
    return true;
  }

  /** Every write pumps what waits here once the socket has taken it. */
  private write(data: string | Buffer, framed: boolean): void {
    if (!framed) this.socket.send(data, TEXT_FRAME, this.pump);
    else if (this.direct) this.tcp.write(data, this.pump);
    else this.socket.send(textFramePayload(data as Buffer), TEXT_FRAME, this.pump);
  }

  private flush(): void {
    while (this.head < this.waiting.length && this.socket.bufferedAmount < SOCKET_HIGH_WATER_BYTES) {
      if (this.closing || this.socket.readyState !== this.socket.OPEN) return;
      const { data, bytes, framed } = this.waiting[this.head++]!;
      this.waitingBytes -= bytes;
      this.write(data, framed);
    }
    // Forget sent frames now and then rather than shifting the array on every send (without
    // allocating when nothing waits: every write's callback lands here).
    if (this.head === this.waiting.length) {
      this.waiting = NOTHING_WAITING;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  }
}
