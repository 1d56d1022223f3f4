/**
 * Runs the real entry point (src/main.ts) in a child process, as `npm start` does, on a
 * fixed free port: for signal handling, and for a second instance that truly competes
 * with the test process (its own event loop, its own database connection).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildServer {
  child: ChildProcess;
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  /** Everything the child wrote to stderr so far (JSON log lines). */
  readonly stderr: string;
  /** Resolves with the first stderr line matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  child.stdout?.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), notify()));
  child.stderr?.on('data', (chunk: Buffer) => ((stderr += chunk.toString()), notify()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);

  const waitFor = (read: () => string, pattern: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = read()
          .split('\n')
          .find((candidate) => pattern.test(candidate));
        if (line === undefined) return;
        cleanup();
        resolve(line);
      };
      const timer = setTimeout(
        () => (cleanup(), reject(new Error(`no output matching ${pattern} in ${timeoutMs} ms:\n${stdout}\n${stderr}`))),
        timeoutMs,
      );
      const cleanup = () => (clearTimeout(timer), listeners.delete(check));
      listeners.add(check);
      check();
    });

  await waitFor(() => stdout, /listening on/, 30_000);
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    get stderr() {
      return stderr;
    },
    waitForLog: (pattern, timeoutMs = 10_000) => waitFor(() => stderr, pattern, timeoutMs),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
