/**
 * Child processes for the suite: spawned on the server core with taskset (when it exists),
 * their CPU time and RSS read from /proc, and every one of them stopped on exit.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Which core the servers and the load generator run on; null when pinning is off. */
export interface Pinning {
  serverCore: number;
  loadCore: number;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Pins this process (every thread) to the load core and returns the plan, or null when
 * taskset is missing, there is a single core, or `enabled` is false.
 */
export function pinLoadGenerator(enabled: boolean): Pinning | null {
  if (!enabled || cpus().length < 2 || !hasTaskset()) return null;
  const plan = { serverCore: 0, loadCore: 1 };
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(plan.loadCore), String(process.pid)], { stdio: 'ignore' });
    return plan;
  } catch {
    return null;
  }
}

const children = new Set<ChildProcess>();

export interface SpawnedProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves with the first match of `pattern` in stdout/stderr (rejects on exit or timeout). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /**
   * Sends `message` over the IPC channel (children started through bench/lib/gc-entry.mjs)
   * and resolves with the first reply of type `replyType`.
   */
  ask(message: Record<string, unknown>, replyType: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Node flags and entry that run `entry` under bench/lib/gc-entry.mjs (GC and profiling over IPC). */
export function gcWrapped(entry: string, nodeArgs: string[] = []): string[] {
  return ['--expose-gc', ...nodeArgs, 'bench/lib/gc-entry.mjs', entry];
}

/** Spawns `node [nodeArgs]` in the repository root, on the server core (or `core`) when pinned. */
export function spawnNode(
  pinning: Pinning | null,
  nodeArgs: string[],
  env: Record<string, string>,
  core = pinning?.serverCore,
): SpawnedProcess {
  const ipc = nodeArgs.includes('bench/lib/gc-entry.mjs');
  const command = pinning ? 'taskset' : process.execPath;
  const args = pinning ? ['-c', String(core), process.execPath, ...nodeArgs] : nodeArgs;
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    // Keep the head (startup lines) and the tail; a chatty child must not grow memory.
    output = output.length > 64_000 ? output.slice(0, 8_000) + output.slice(-32_000) + chunk.toString() : output + chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
      for (const listener of listeners) listener();
    }),
  );
  return {
    child,
    // taskset execs the program, so the pid is the node process itself.
    pid: child.pid!,
    output: () => output,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            done();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${output.slice(-4000)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${pattern}:\n${output.slice(-4000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    ask: (message, replyType, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        if (!child.send) return reject(new Error('this child has no IPC channel (start it with gcWrapped)'));
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          reject(new Error(`no ${replyType} reply within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        const onMessage = (reply: unknown) => {
          const typed = reply as Record<string, unknown>;
          if (typed?.type !== replyType && typed?.type !== 'error') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          if (typed.type === 'error') reject(new Error(`child: ${String(typed.message)}`));
          else resolve(typed);
        };
        child.on('message', onMessage);
        child.send(message);
      }),
  };
}

/** Kills every child still running (used on exit and on Ctrl-C). */
export function killAllChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU time of a process in microseconds, from /proc/<pid>/stat. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / ticksPerSecond();
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

/** Whether /proc sampling works here (Linux). */
export function procAvailable(): boolean {
  return existsSync(`/proc/${process.pid}/stat`);
}

/**
 * Waits until the process uses less than `maxShare` of a core over `windowMs`
 * (it finished the work it was handed), or `timeoutMs` passes.
 */
export async function waitForIdle(pid: number, { windowMs = 300, maxShare = 0.05, timeoutMs = 15_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let before = cpuMicros(pid);
  while (Date.now() < deadline) {
    await sleep(windowMs);
    const after = cpuMicros(pid);
    if (after - before <= maxShare * windowMs * 1000) return;
    before = after;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
