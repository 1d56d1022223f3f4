/**
 * A CPU profile of a server taken after a scenario's measured window, under the same load:
 * the suite asks the server's GC wrapper (gc-entry.mjs) to start and stop V8's profiler.
 */
import type { ChatServer } from './chat-server.ts';

/** What closed loops and fan-outs run after their window. */
export interface AfterWindow {
  durationMs: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Profiles `server` for `durationMs` into `file`; undefined (no profile) when `file` is null. */
export function profileWindow(server: ChatServer, file: string | null, durationMs: number): AfterWindow | undefined {
  if (!file) return undefined;
  return {
    durationMs,
    start: async () => {
      await server.process.ask({ type: 'profile-start' }, 'profile-started');
    },
    stop: async () => {
      await server.process.ask({ type: 'profile-stop', file }, 'profile-written', 60_000);
    },
  };
}
