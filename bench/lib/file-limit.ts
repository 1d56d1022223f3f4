/** The file-descriptor limit: every socket is one, in the servers and in the load generator. */
import { spawnSync } from 'node:child_process';
import type { Params } from './params.ts';

/** Re-runs this script under a raised soft file-descriptor limit when the hard limit allows more. */
export function raiseFileLimit(): void {
  if (process.env.BENCH_FD_RAISED) return;
  const probe = spawnSync('sh', ['-c', 'echo $(ulimit -Sn) $(ulimit -Hn)']);
  const [soft, hard] = probe.stdout.toString().trim().split(' ');
  if (!soft || !hard || soft === hard || soft === 'unlimited') return;
  const result = spawnSync(
    'sh',
    ['-c', `ulimit -n ${hard} && exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_FD_RAISED: '1' },
    },
  );
  process.exit(result.status ?? 1);
}

/** The soft file-descriptor limit (one per socket, in the servers and in this load generator). */
export function fileLimit(): number {
  const probe = spawnSync('sh', ['-c', 'ulimit -Sn']);
  const value = probe.stdout.toString().trim();
  return value === 'unlimited' ? Infinity : Number(value) || Infinity;
}

/** Most sockets one process holds in this run. */
export function socketsNeeded(params: Params): number {
  const { sessions, members } = params.manySessions;
  return Math.max(params.idle.to + 100, sessions * members, params.typing.clients, ...params.fanout.sizes.map((s) => s.subscribers));
}
