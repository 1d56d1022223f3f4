/**
 * Back-pressure for one socket. Frames go to the socket only while little is waiting in
 * it; the rest waits here, so the socket itself never holds much. Above
 * WS_MAX_BUFFERED_BYTES `send` refuses (the caller closes with 1013). On close, frames
 * still waiting here are dropped, so the close frame goes right behind what the socket
 * already has: a client that keeps reading, however slowly, receives the close code
 * instead of a cut connection (1006). Its socket only holds about one frame here, so
 * waiting for it is cheap: the ws library drops a peer that has not completed the close
 * handshake 30 s after our close frame (its `closeTimeout`).
 */
import type { WebSocket } from 'ws';
import { truncateCloseReason } from './close-reason.ts';

/** Frames are handed to the socket while it holds less than this. */
const SOCKET_HIGH_WATER_BYTES = 64 * 1024;
const TEXT_FRAME = { binary: false } as const;

export class SocketWriter {
  /** Frames not yet handed to the socket, oldest first from `head`. */
  private waiting: { data: string | Buffer; bytes: number }[] = [];
  private head = 0;
  private waitingBytes = 0;
  private closing = false;
  private readonly pump = (): void => this.flush();

  constructor(
    private readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
  ) {}

  /** Bytes written but not yet handed to the kernel, plus those waiting here. */
  get bufferedBytes(): number {
    return this.waitingBytes + this.socket.bufferedAmount;
  }

  /** Queues a frame; false (and nothing queued) when more than WS_MAX_BUFFERED_BYTES are already waiting. */
  send(data: string | Buffer): boolean {
    if (this.closing || this.socket.readyState !== this.socket.OPEN) return true;
    if (this.bufferedBytes > this.maxBufferedBytes) return false;
    // Nothing waiting and room in the socket (the usual case): straight through, nothing queued.
    if (this.head === this.waiting.length && this.socket.bufferedAmount < SOCKET_HIGH_WATER_BYTES) {
      this.socket.send(data, TEXT_FRAME, this.pump);
      return true;
    }
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.waiting.push({ data, bytes });
    this.waitingBytes += bytes;
    this.flush();
    return true;
  }

  /** Drops what is still waiting here and sends the close frame (reason cut to 123 bytes). */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.waiting = [];
    this.head = 0;
    this.waitingBytes = 0;
    this.socket.close(code, truncateCloseReason(reason));
  }

  private flush(): void {
    while (this.head < this.waiting.length && this.socket.bufferedAmount < SOCKET_HIGH_WATER_BYTES) {
      if (this.closing || this.socket.readyState !== this.socket.OPEN) return;
      const { data, bytes } = this.waiting[this.head++]!;
      this.waitingBytes -= bytes;
      this.socket.send(data, TEXT_FRAME, this.pump);
    }
    // Forget sent frames now and then rather than shifting the array on every send.
    if (this.head === this.waiting.length || (this.head > 1024 && this.head * 2 > this.waiting.length)) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  }
}
