/**
 * The server and the migration runner as real processes, started from source (through tsx)
 * the way `npm start` and `npm run db:migrate` start them, each with its own connections.
 */
import { repoRoot } from './build.ts';
import { startCommand, waitForReady, type RunningCommand } from './command.ts';
import { freePort } from './ports.ts';

export interface ServerProcess {
  command: RunningCommand;
  url: string;
  graphqlUrl: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | string | null>;
}

/** Starts src/main.ts on a free port and resolves once it listens and /readyz answers 200. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  const port = await freePort();
  const command = startCommand(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repoRoot,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await command.waitForLine(/listening on/, timeoutMs);
    await waitForReady(url, timeoutMs);
  } catch (error) {
    command.child.kill('SIGKILL');
    throw error;
  }
  return {
    command,
    url,
    graphqlUrl: `${url}/graphql`,
    async stop() {
      if (command.child.exitCode === null && command.child.signalCode === null) command.child.kill('SIGTERM');
      return command.exited;
    },
  };
}

/** Runs the migration runner (scripts/migrate.ts, what `npm run db:migrate` runs) with `env`. */
export function runMigrations(env: Record<string, string>): RunningCommand {
  return startCommand(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { cwd: repoRoot, env });
}

/** A migrator (migrator-on-signal.ts) that has loaded everything; `release()` makes it migrate. */
export interface WaitingMigrator {
  command: RunningCommand;
  release(): void;
  /** The names it applied, once it exits 0. */
  applied(): Promise<string[]>;
}

export async function startWaitingMigrator(env: Record<string, string>): Promise<WaitingMigrator> {
  const command = startCommand(process.execPath, ['--import', 'tsx', 'test/support/migrator-on-signal.ts'], { cwd: repoRoot, env });
  await command.waitForLine(/^ready$/, 30_000);
  return {
    command,
    release: () => void command.child.kill('SIGUSR2'),
    async applied() {
      const code = await command.exited;
      if (code !== 0) throw new Error(`migrator exited with ${String(code)}:\n${command.output}`);
      const line = command.output.split('\n').find((candidate) => candidate.startsWith('{"applied"')) ?? '{"applied":null}';
      return (JSON.parse(line) as { applied: string[] }).applied;
    },
  };
}
