/**
 * Raw HTTP/1.1 over node:net, for requests fetch cannot send (a bad Host, duplicated
 * headers, raw non-ASCII bytes, `OPTIONS *`, a malformed request line). Reads until the
 * server closes the connection or one complete response has arrived.
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent, as latin1 text. */
  raw: string;
}

/** Sends `bytes` to the server at `baseUrl` and resolves with the response (within `timeoutMs`). */
export function rawRequest(baseUrl: string, bytes: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => finish(new Error(`no complete response within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks).toString('latin1');
      const parsed = parseResponse(raw);
      if (parsed) resolve(parsed);
      else reject(error ?? new Error(`incomplete response: ${JSON.stringify(raw.slice(0, 200))}`));
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (parseResponse(Buffer.concat(chunks).toString('latin1'))) finish();
    });
    socket.on('end', () => finish());
    socket.on('error', (error) => finish(error));
    socket.write(bytes);
  });
}

/** A request head with CRLF line ends and an optional body (Content-Length added for it). */
export function requestHead(requestLine: string, headers: string[], body?: string): string {
  const lines = [requestLine, ...headers, ...(body === undefined ? [] : [`content-length: ${Buffer.byteLength(body)}`])];
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}

function parseResponse(raw: string): RawResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = raw.slice(end + 4);
  let body: string;
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (Buffer.byteLength(rest, 'latin1') < length) return undefined;
    body = Buffer.from(rest, 'latin1').subarray(0, length).toString('utf8');
  } else if (headers['transfer-encoding']?.includes('chunked')) {
    const decoded = decodeChunked(rest);
    if (decoded === undefined) return undefined;
    body = decoded;
  } else {
    return undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body, raw };
}

function decodeChunked(text: string): string | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(text.slice(at, lineEnd), 16);
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    const start = lineEnd + 2;
    if (text.length < start + size + 2) return undefined;
    parts.push(Buffer.from(text.slice(start, start + size), 'latin1'));
    at = start + size + 2;
  }
}
