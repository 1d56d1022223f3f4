/**
 * A lean HTTP/1.1 keep-alive client over one TCP socket: one request at a time, bodies
 * framed by Content-Length or chunked encoding. Far cheaper per request than fetch, so
 * the load generator's single core is rarely what limits a measurement.
 */
import { connect, type Socket } from 'node:net';

export interface HttpResponse {
  status: number;
  body: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');
/** A keep-alive connection idle longer than this is replaced before the next request. */
const IDLE_REOPEN_MS = 1000;
const CRLF = Buffer.from('\r\n');

/** Request bytes for a POST with a JSON body. */
export function jsonPost(host: string, path: string, body: string, headers: Record<string, string> = {}): Buffer {
  const payload = Buffer.from(body);
  let head = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ${payload.length}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`), payload]);
}

/** Request bytes for a GET. */
export function plainGet(host: string, path: string): Buffer {
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
}

export class KeepAliveConnection {
  private socket: Socket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve: (response: HttpResponse) => void; reject: (error: Error) => void } | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  private lastUsedAt = 0;

  /**
   * Sends one request and resolves with its response; reconnects if the server closed the
   * socket, or if it sat idle long enough that the server may be closing it right now (node's
   * keepAliveTimeout is 5 s): a request written into that close would fail through no fault of
   * the server under test.
   */
  async request(bytes: Buffer): Promise<HttpResponse> {
    if (this.pending) throw new Error('one request at a time per connection');
    if (this.socket && performance.now() - this.lastUsedAt > IDLE_REOPEN_MS) this.close();
    if (!this.socket || this.socket.destroyed) await this.open();
    this.lastUsedAt = performance.now();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket!.write(bytes);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve();
      });
      socket.once('error', reject);
      // Events of a socket already replaced (closed by us) must not touch its successor.
      socket.on('data', (chunk) => this.socket === socket && this.onData(chunk));
      socket.on('close', () => this.socket === socket && this.fail(new Error('connection closed')));
      socket.on('error', (error) => this.socket === socket && this.fail(error));
      this.socket = socket;
      this.buffer = Buffer.alloc(0);
    });
  }

  private fail(error: Error): void {
    this.socket = null;
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const parsed = parseResponse(this.buffer);
    if (!parsed) return;
    this.buffer = this.buffer.subarray(parsed.consumed);
    const pending = this.pending;
    this.pending = null;
    this.lastUsedAt = performance.now();
    pending?.resolve(parsed.response);
  }
}

/** A complete response at the start of `buffer`, or null when more bytes are needed. */
export function parseResponse(buffer: Buffer): { response: HttpResponse; consumed: number } | null {
  const headerEnd = buffer.indexOf(HEADER_END);
  if (headerEnd < 0) return null;
  const head = buffer.toString('latin1', 0, headerEnd);
  const status = Number(head.slice(9, 12));
  const bodyStart = headerEnd + 4;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const end = bodyStart + Number(length[1]);
    if (buffer.length < end) return null;
    return { response: { status, body: buffer.subarray(bodyStart, end) }, consumed: end };
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return parseChunked(buffer, status, bodyStart);
  return { response: { status, body: Buffer.alloc(0) }, consumed: bodyStart };
}

function parseChunked(buffer: Buffer, status: number, start: number): { response: HttpResponse; consumed: number } | null {
  const parts: Buffer[] = [];
  let offset = start;
  for (;;) {
    const lineEnd = buffer.indexOf(CRLF, offset);
    if (lineEnd < 0) return null;
    const size = parseInt(buffer.toString('latin1', offset, lineEnd), 16);
    const dataStart = lineEnd + 2;
    if (size === 0) {
      // No trailers from the servers we measure: the last chunk is followed by one CRLF.
      if (buffer.length < dataStart + 2) return null;
      return { response: { status, body: Buffer.concat(parts) }, consumed: dataStart + 2 };
    }
    if (buffer.length < dataStart + size + 2) return null;
    parts.push(buffer.subarray(dataStart, dataStart + size));
    offset = dataStart + size + 2;
  }
}

/** Keep-alive connections shared by open-loop senders: a free one is reused, else a new one opens (up to `max`). */
export class ConnectionPool {
  private readonly idle: KeepAliveConnection[] = [];
  private readonly waiting: ((connection: KeepAliveConnection) => void)[] = [];
  private opened = 0;
  private readonly hostname: string;
  private readonly port: number;

  constructor(
    url: string,
    private readonly max = 64,
  ) {
    const parsed = new URL(url);
    this.hostname = parsed.hostname;
    this.port = Number(parsed.port);
  }

  async request(bytes: Buffer): Promise<HttpResponse> {
    const connection = await this.acquire();
    try {
      return await connection.request(bytes);
    } catch (error) {
      connection.close();
      throw error;
    } finally {
      this.release(connection);
    }
  }

  close(): void {
    for (const connection of this.idle.splice(0)) connection.close();
  }

  private acquire(): Promise<KeepAliveConnection> {
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.opened < this.max) {
      this.opened += 1;
      return Promise.resolve(new KeepAliveConnection(this.hostname, this.port));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(connection: KeepAliveConnection): void {
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }
}
