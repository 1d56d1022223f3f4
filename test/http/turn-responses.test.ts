/**
 * The fast path's answers are ended at the end of their turn (src/http/turn-responses.ts):
 * not before, all of one turn together, and one whose client went away in the meantime is
 * dropped without disturbing the others or the process. A real server and real sockets.
 */
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { endAtEndOfTurn } from '../../src/http/turn-responses.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function listen(handler: (res: ServerResponse, path: string) => void): Promise<number> {
  const server = createServer((req, res) => handler(res, req.url ?? ''));
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function get(port: number, path: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ port, path, host: '127.0.0.1', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('error', (error) => resolve({ error: error.message }));
    req.end();
  });
}

describe('answers ended at the end of the turn', () => {
  it('ends an answer only once its turn is over, with the body it was given', async () => {
    const endedAtOnce: boolean[] = [];
    const port = await listen((res, path) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      endAtEndOfTurn(res, `answer to ${path}`);
      endedAtOnce.push(res.writableEnded);
    });
    const answers = await Promise.all(['/a', '/b', '/c'].map((path) => get(port, path)));
    expect(answers).toEqual([
      { status: 200, body: 'answer to /a' },
      { status: 200, body: 'answer to /b' },
      { status: 200, body: 'answer to /c' },
    ]);
    expect(endedAtOnce).toEqual([false, false, false]);
  });

  it('drops the answer of a client that went away before the turn ended, and still answers the others', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const port = await listen((res, path) => {
        res.writeHead(200);
        endAtEndOfTurn(res, `answer to ${path}`);
        if (path === '/gone') res.socket?.destroy();
      });
      const [gone, kept] = await Promise.all([get(port, '/gone'), get(port, '/kept')]);
      expect(gone).toMatchObject({ error: expect.any(String) });
      expect(kept).toEqual({ status: 200, body: 'answer to /kept' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
