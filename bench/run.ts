/**
 * `npm run bench [-- --quick | --tiny] [--only S1,S2] [--repeats N] [--out DIR] [--profile] [--no-pin] [--no-postgres]`
 *
 * Runs the selected scenarios and the baselines they compare with, `repeats` times
 * (interleaved, so drift hits both alike), prints a table of medians and ratios, and writes
 * RESULTS.md and results.json. Servers run on core 0 and this load generator on core 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { dropTemplates, postgresReachable } from './lib/databases.ts';
import { paramsFor, type Params } from './lib/params.ts';
import { killAllChildren, pinLoadGenerator, procAvailable, repoRoot } from './lib/processes.ts';
import { consoleTable, machineInfo, markdown, targetSummary, type ScenarioReport } from './lib/report.ts';
import type { BenchContext, Metrics, Scenario } from './lib/scenario.ts';
import { median } from './lib/stats.ts';
import { baselineHttp } from './scenarios/baseline-http.ts';
import { baselineRedis } from './scenarios/baseline-redis.ts';
import { baselineSqlite } from './scenarios/baseline-sqlite.ts';
import { baselineWs } from './scenarios/baseline-ws.ts';
import { s1SendMessage } from './scenarios/s1-send-message.ts';
import { s2Fanout } from './scenarios/s2-fanout.ts';
import { s2bManySessions } from './scenarios/s2b-many-sessions.ts';
import { s3History } from './scenarios/s3-history.ts';
import { s4Typing } from './scenarios/s4-typing.ts';
import { s5Idle } from './scenarios/s5-idle.ts';
import { s6RedisScaleOut } from './scenarios/s6-redis-scale-out.ts';

const ALL: Scenario[] = [
  baselineHttp,
  baselineSqlite,
  baselineWs,
  baselineRedis,
  s1SendMessage,
  s2Fanout,
  s2bManySessions,
  s3History,
  s4Typing,
  s5Idle,
  s6RedisScaleOut,
];

/** Longest one scenario may take in one repeat before it is abandoned. */
const SCENARIO_TIMEOUT_MS = 6 * 60_000;
/** Metrics where one bad repeat must show: the worst repeat is reported, not the median. */
const WORST_CASE = /\.(lost|duplicates|errors|dbWrites|extraPublishes)$/;

interface Options {
  mode: Params['mode'];
  only: string[] | null;
  repeats: number | null;
  out: string;
  pin: boolean;
  postgres: boolean;
  profile: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { mode: 'full', only: null, repeats: null, out: join(repoRoot, 'bench'), pin: true, postgres: true, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--quick') options.mode = 'quick';
    else if (arg === '--tiny') options.mode = 'tiny';
    else if (arg === '--only') options.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg.startsWith('--only=')) options.only = arg.slice(7).split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--repeats') options.repeats = Number(value());
    else if (arg === '--out') options.out = resolve(value());
    else if (arg === '--no-pin') options.pin = false;
    else if (arg === '--no-postgres') options.postgres = false;
    else if (arg === '--profile') options.profile = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (options.repeats !== null && !(Number.isInteger(options.repeats) && options.repeats >= 1 && options.repeats <= 10)) {
    throw new Error('--repeats must be an integer from 1 to 10');
  }
  return options;
}

function selection(only: string[] | null): Scenario[] {
  if (!only) return ALL;
  const unknown = only.filter((id) => !ALL.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${ALL.map((s) => s.id).join(', ')}`);
  const wanted = new Set(only);
  for (const scenario of ALL) if (wanted.has(scenario.id)) for (const need of scenario.needs ?? []) wanted.add(need);
  return ALL.filter((s) => wanted.has(s.id));
}

/** Re-runs this script under a raised soft file-descriptor limit when the hard limit allows more. */
function raiseFileLimit(): void {
  if (process.env.BENCH_FD_RAISED) return;
  const probe = spawnSync('sh', ['-c', 'echo $(ulimit -Sn) $(ulimit -Hn)']);
  const [soft, hard] = probe.stdout.toString().trim().split(' ');
  if (!soft || !hard || soft === hard || soft === 'unlimited') return;
  const result = spawnSync('sh', ['-c', `ulimit -n ${hard} && exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_FD_RAISED: '1' },
  });
  process.exit(result.status ?? 1);
}

/** The soft file-descriptor limit (one per socket, in the servers and in this load generator). */
function fileLimit(): number {
  const probe = spawnSync('sh', ['-c', 'ulimit -Sn']);
  const value = probe.stdout.toString().trim();
  return value === 'unlimited' ? Infinity : Number(value) || Infinity;
}

/** Most sockets one process holds in this run. */
function socketsNeeded(params: Params): number {
  const { sessions, members } = params.manySessions;
  return Math.max(params.idle.connections + 100, sessions * members, params.typing.clients, ...params.fanout.sizes.map((s) => s.subscribers));
}

async function redisReachable(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main(): Promise<number> {
  raiseFileLimit();
  const options = parseArgs(process.argv.slice(2));
  const params = paramsFor(options.mode);
  if (options.repeats) params.repeats = options.repeats;
  if (!procAvailable()) throw new Error('the suite reads server CPU and RSS from /proc; run it on Linux');
  const scenarios = selection(options.only);
  const ids = new Set(scenarios.map((s) => s.id));
  const pinning = pinLoadGenerator(options.pin);
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const notes: string[] = [];
  const limit = fileLimit();
  if (limit < socketsNeeded(params) + 1024) {
    notes.push(`The file-descriptor limit (${limit}) is below the ${socketsNeeded(params)} sockets this run opens per process; expect connection errors.`);
  }
  const postgres = options.postgres && (ids.has('S1') || ids.has('S6')) ? await postgresReachable() : false;
  if ((ids.has('S1') || ids.has('S6')) && options.postgres && !postgres) {
    notes.push('PostgreSQL was unreachable (or --no-postgres): S1 ran on SQLite only and S6 shared one SQLite file.');
  }
  const redis = ids.has('S6') || ids.has('B-redis') ? await redisReachable(redisUrl) : false;
  const runnable = scenarios.filter((s) => {
    if ((s.id === 'S6' || s.id === 'B-redis') && !redis) {
      notes.push(`${s.id} skipped: Redis at ${redisUrl} is unreachable.`);
      return false;
    }
    return true;
  });
  const profileDir = options.profile ? join(options.out, 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : null;
  const ctx: BenchContext = {
    pinning,
    params,
    selected: (id) => ids.has(id),
    postgres,
    redisUrl,
    profileDir,
    log: (message) => console.log(message),
  };

  const started = Date.now();
  console.log(
    `chat benchmark: ${params.mode}, ${params.repeats} repeat(s), ${runnable.map((s) => s.id).join(' ')}; ` +
      (pinning ? `servers on core ${pinning.serverCore}, load generator on core ${pinning.loadCore}` : 'no CPU pinning'),
  );
  const runs = new Map<string, number[]>();
  const errors: string[] = [];
  for (let repeat = 1; repeat <= params.repeats; repeat++) {
    for (const scenario of runnable) {
      const t0 = Date.now();
      console.log(`[${repeat}/${params.repeats}] ${scenario.id}: ${scenario.title}`);
      try {
        const metrics: Metrics = await withTimeout(scenario.run(ctx), SCENARIO_TIMEOUT_MS, scenario.id);
        for (const [key, value] of Object.entries(metrics)) runs.set(key, [...(runs.get(key) ?? []), value]);
        console.log(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (error) {
        killAllChildren();
        const message = `${scenario.id} (repeat ${repeat}): ${error instanceof Error ? error.message : String(error)}`;
        errors.push(message.split('\n').slice(0, 3).join(' ').slice(0, 600));
        console.error(`  FAILED ${message}`);
      }
    }
  }

  const m = (key: string) => {
    const values = runs.get(key);
    if (!values) return NaN;
    return WORST_CASE.test(key) ? Math.max(...values) : median(values);
  };
  const reports: ScenarioReport[] = runnable.map((s) => ({ id: s.id, title: s.title, rows: s.report(m, params) }));
  const durationSeconds = (Date.now() - started) / 1000;
  const info = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    mode: params.mode,
    repeats: params.repeats,
    pinning,
    durationSeconds,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  };
  console.log(consoleTable(reports));
  for (const note of notes) console.log(`note: ${note}`);
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'RESULTS.md'), markdown(info, reports, errors, notes));
  const medians = Object.fromEntries([...runs.keys()].sort().map((key) => [key, m(key)]));
  writeFileSync(
    join(options.out, 'results.json'),
    JSON.stringify({ ...info, params, medians, runs: Object.fromEntries(runs), targets: targetSummary(reports), reports, errors, notes }, null, 2) + '\n',
  );
  console.log(`\nwrote ${join(options.out, 'RESULTS.md')} and results.json in ${Math.round(durationSeconds)} s`);
  if (profileDir) console.log(`CPU profiles in ${profileDir} (summarize: npx tsx bench/lib/profile-summary.ts <file>)`);
  return errors.length > 0 ? 1 : 0;
}

const cleanup = async () => {
  killAllChildren();
  await dropTemplates().catch(() => {});
};
process.on('SIGINT', () => {
  void cleanup().then(() => process.exit(130));
});
main().then(
  async (code) => {
    await cleanup();
    process.exit(code);
  },
  async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    await cleanup();
    process.exit(1);
  },
);
