/**
 * Runs a command the way a person does (`npm start`, `npm run cluster`, `node dist/…`) in a
 * child process, collecting its output, with waits for a line and for /readyz.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface RunningCommand {
  child: ChildProcess;
  pid: number;
  readonly output: string;
  /** Resolves with the first output line (stdout or stderr) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string | null>;
}

export function startCommand(command: string, args: string[], options: { cwd: string; env: Record<string, string> }): RunningCommand {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = once(child, 'exit').then(([code, signal]) => (code as number | null) ?? (signal as string | null));
  return {
    child,
    pid: child.pid,
    get output() {
      return output;
    },
    exited,
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = output.split('\n').find((candidate) => pattern.test(candidate));
          if (line !== undefined) finish(() => resolve(line));
          else if (child.exitCode !== null || child.signalCode !== null)
            finish(() => reject(new Error(`exited before printing ${pattern}:\n${output}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${output}`))),
          timeoutMs,
        );
        const onExit = () => check();
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
          settle();
        };
        listeners.add(check);
        child.on('exit', onExit);
        check();
      });
    },
  };
}

/** Polls `<url>/readyz` until it answers 200, failing after `timeoutMs`. */
export async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) throw new Error(`${url}/readyz not ready in ${timeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
