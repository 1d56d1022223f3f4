/**
 * `npm run bench [-- --quick | --tiny] [--only S1,S2] [--repeats N] [--out DIR] [--profile] [--no-pin] [--no-postgres]`
 * `npm run bench -- --rerender bench/results.json`: the tables again from saved numbers
 *
 * Runs the selected scenarios and the baselines they compare with, `repeats` times
 * (interleaved, so drift hits both alike), prints a table of medians and ratios, and writes
 * RESULTS.md and results.json. Servers run on core 0 and this load generator on core 1.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseArgs } from './lib/cli.ts';
import { dropTemplates, postgresReachable } from './lib/databases.ts';
import { fileLimit, raiseFileLimit, socketsNeeded } from './lib/file-limit.ts';
import { paramsFor, type Params } from './lib/params.ts';
import { killAllChildren, pinLoadGenerator, procAvailable } from './lib/processes.ts';
import { consoleTable, machineInfo, markdown, targetSummary, type RunInfo, type ScenarioReport } from './lib/report.ts';
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
import { s7Streaming } from './scenarios/s7-streaming.ts';

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
  s7Streaming,
];

/** Longest one scenario may take in one repeat before it is abandoned. */
const SCENARIO_TIMEOUT_MS = 6 * 60_000;
/** Metrics where one bad repeat must show: the worst repeat is reported, not the median. */
const WORST_CASE = /\.(lost|duplicates|errors|dbWrites|extraPublishes)$/;

function selection(only: string[] | null): Scenario[] {
  if (!only) return ALL;
  const unknown = only.filter((id) => !ALL.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${ALL.map((s) => s.id).join(', ')}`);
  const wanted = new Set(only);
  for (const scenario of ALL) if (wanted.has(scenario.id)) for (const need of scenario.needs ?? []) wanted.add(need);
  return ALL.filter((s) => wanted.has(s.id));
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

/** What results.json keeps of a run: enough to render the tables again (`--rerender`). */
interface RunRecord {
  info: RunInfo;
  params: Params;
  runs: Record<string, number[]>;
  errors: string[];
  notes: string[];
}

/** Medians (worst repeat for WORST_CASE keys), the tables on stdout, RESULTS.md and results.json. */
function writeResults(out: string, record: RunRecord, scenarios: Scenario[]): void {
  const m = (key: string) => {
    const values = record.runs[key];
    if (!values) return NaN;
    return WORST_CASE.test(key) ? Math.max(...values) : median(values);
  };
  const reports: ScenarioReport[] = scenarios.map((s) => ({ id: s.id, title: s.title, rows: s.report(m, record.params) }));
  console.log(consoleTable(reports));
  for (const note of record.notes) console.log(`note: ${note}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'RESULTS.md'), markdown(record.info, reports, record.errors, record.notes));
  const medians = Object.fromEntries(
    Object.keys(record.runs)
      .sort()
      .map((key) => [key, m(key)]),
  );
  const { info, ...rest } = record;
  writeFileSync(
    join(out, 'results.json'),
    `${JSON.stringify({ ...info, ...rest, medians, targets: targetSummary(reports), reports }, null, 2)}\n`,
  );
  console.log(`\nwrote ${join(out, 'RESULTS.md')} and results.json (run took ${Math.round(record.info.durationSeconds)} s)`);
}

/** Renders the tables again from a results.json (after report rows changed), without measuring. */
function rerender(file: string, out: string): number {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as RunInfo & Omit<RunRecord, 'info'> & { reports: { id: string }[] };
  const { date, machine, mode, repeats, pinning, durationSeconds, command } = saved;
  const ids = new Set(saved.reports.map((r) => r.id));
  const record = {
    info: { date, machine, mode, repeats, pinning, durationSeconds, command },
    params: saved.params,
    runs: saved.runs,
    errors: saved.errors,
    notes: saved.notes,
  };
  writeResults(
    out,
    record,
    ALL.filter((s) => ids.has(s.id)),
  );
  return 0;
}

async function main(): Promise<number> {
  raiseFileLimit();
  const options = parseArgs(process.argv.slice(2));
  if (options.rerender) return rerender(options.rerender, options.out);
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
    notes.push(
      `The file-descriptor limit (${limit}) is below the ${socketsNeeded(params)} sockets this run opens per process; expect connection errors.`,
    );
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

  const info: RunInfo = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    mode: params.mode,
    repeats: params.repeats,
    pinning,
    durationSeconds: (Date.now() - started) / 1000,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  };
  writeResults(options.out, { info, params, runs: Object.fromEntries(runs), errors, notes }, runnable);
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
