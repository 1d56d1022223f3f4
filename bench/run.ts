/**
 * `npm run bench [-- --quick | --tiny] [--only S1,S2] [--repeats N] [--out DIR] [--profile] [--no-pin] [--no-postgres] [--on-disk]
 *  [--server-env NAME=VALUE …]`
 * `npm run bench -- --rerender bench/results.json`: the tables again from saved numbers
 *
 * Builds dist/ when stale, runs the selected scenarios and the baselines they compare with,
 * `repeats` times (interleaved, so drift hits both alike), prints a table of medians, spreads
 * and ratios, and writes RESULTS.md and results.json. Servers run on core 0 and this load
 * generator on core 1. A scenario whose load was refused or lost (or that crashed) in any
 * repeat is FAIL in the targets table, its numbers from that repeat are dropped, and the run
 * exits non-zero.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseArgs } from './lib/cli.ts';
import { probeFsync } from './lib/disk-probe.ts';
import { ensureServerBuilt, serverEnvOverrides } from './lib/chat-server.ts';
import { configureStorage, dropTemplates, postgresReachable } from './lib/databases.ts';
import { fileLimit, raiseFileLimit, socketsNeeded } from './lib/file-limit.ts';
import { paramsFor, type Params } from './lib/params.ts';
import { killAllChildren, pinLoadGenerator, procAvailable } from './lib/processes.ts';
import {
  consoleTable,
  gitInfo,
  loadAverage,
  machineInfo,
  markdown,
  targetSummary,
  type RunInfo,
  type ScenarioReport,
} from './lib/report.ts';
import type { BenchContext, Metrics, ProfileSummary, ReportRow, Scenario } from './lib/scenario.ts';
import { median } from './lib/stats.ts';
import { baselineHttp } from './scenarios/baseline-http.ts';
import { baselinePg } from './scenarios/baseline-pg.ts';
import { baselineRedis } from './scenarios/baseline-redis.ts';
import { baselineSqlite } from './scenarios/baseline-sqlite.ts';
import { baselineWs, baselineWsIdle } from './scenarios/baseline-ws.ts';
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
  baselinePg,
  baselineWs,
  baselineWsIdle,
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
const SCENARIO_TIMEOUT_MS = 8 * 60_000;
/** Metrics where one bad repeat must show: the worst repeat is reported, not the median. */
const WORST_CASE = /\.(dbWrites|extraPublishes)$/;

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
  /** Per repeat, the numbers of every scenario that completed it without failing. */
  repeats: Metrics[];
  /** Scenario id → why it failed, per failed repeat. */
  failures: Record<string, string[]>;
  notes: string[];
  profiles: ProfileSummary[];
  /** `--server-env` overrides the run was made with. */
  serverEnv: Record<string, string>;
}

const finite = (values: (number | undefined)[]) => values.filter((v): v is number => v !== undefined && Number.isFinite(v));
const range = (values: number[]) => (values.length > 1 ? { min: Math.min(...values), max: Math.max(...values) } : undefined);

/**
 * Rows from the medians over the repeats; each row's spread (min–max over repeats) and its
 * ratio as the median of the per-repeat ratios (a baseline is compared with the scenario
 * measured in the same repeat).
 */
function reportRows(scenario: Scenario, record: RunRecord): ReportRow[] {
  const m = (key: string) => {
    const values = finite(record.repeats.map((r) => r[key]));
    if (values.length === 0) return NaN;
    return WORST_CASE.test(key) ? Math.max(...values) : median(values);
  };
  const rows = scenario.report(m, record.params);
  const perRepeat = record.repeats.map(
    (r) => new Map(scenario.report((key) => r[key] ?? NaN, record.params).map((row) => [row.metric, row])),
  );
  for (const row of rows) {
    const same = perRepeat.map((byMetric) => byMetric.get(row.metric));
    row.spread = range(finite(same.map((r) => r?.value)));
    const ratios = finite(same.map((r) => r?.ratio));
    if (row.ratio !== undefined && ratios.length > 0) {
      row.ratio = median(ratios);
      row.ratioSpread = range(ratios);
    }
  }
  return rows;
}

/** The tables on stdout, RESULTS.md and results.json; returns the reports. */
function writeResults(out: string, record: RunRecord, scenarios: Scenario[], errors: string[]): ScenarioReport[] {
  const reports: ScenarioReport[] = scenarios.map((s) => ({
    id: s.id,
    title: s.title,
    rows: reportRows(s, record),
    failures: [s.id, ...(s.needs ?? [])].flatMap((id) =>
      (record.failures[id] ?? []).map((f) => (id === s.id ? f : `(baseline ${id}) ${f}`)),
    ),
  }));
  console.log(consoleTable(reports));
  for (const note of record.notes) console.log(`note: ${note}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'RESULTS.md'), markdown({ info: record.info, reports, errors, notes: record.notes, profiles: record.profiles }));
  const keys = [...new Set(record.repeats.flatMap((r) => Object.keys(r)))].sort();
  const runs = Object.fromEntries(keys.map((key) => [key, record.repeats.map((r) => r[key] ?? null)]));
  const { info, ...rest } = record;
  writeFileSync(
    join(out, 'results.json'),
    `${JSON.stringify({ ...info, ...rest, errors, runs, targets: targetSummary(reports), reports }, null, 2)}\n`,
  );
  console.log(`\nwrote ${join(out, 'RESULTS.md')} and results.json (run took ${Math.round(record.info.durationSeconds)} s)`);
  return reports;
}

/** Renders the tables again from a results.json (after report rows changed), without measuring. */
function rerender(file: string, out: string): number {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as RunInfo &
    Omit<RunRecord, 'info'> & { reports: { id: string }[]; errors: string[] };
  const { date, machine, git, mode, repeats, pinning, durationSeconds, command } = saved;
  if (!Array.isArray(saved.repeats))
    throw new Error(`${file} was written by an older version of the suite (no per-repeat numbers); run the suite again`);
  const ids = new Set(saved.reports.map((r) => r.id));
  const record: RunRecord = {
    info: { date, machine, git, mode, repeats, pinning, durationSeconds, command },
    params: saved.params,
    repeats: saved.repeats,
    failures: saved.failures ?? {},
    notes: saved.notes ?? [],
    profiles: saved.profiles ?? [],
    serverEnv: saved.serverEnv ?? {},
  };
  writeResults(
    out,
    record,
    ALL.filter((s) => ids.has(s.id)),
    saved.errors ?? [],
  );
  return 0;
}

async function main(): Promise<number> {
  raiseFileLimit();
  const options = parseArgs(process.argv.slice(2));
  if (options.rerender) return rerender(options.rerender, options.out);
  const loadBefore = loadAverage();
  const fsyncBefore = probeFsync();
  const storage = configureStorage(options.onDisk);
  const params = paramsFor(options.mode);
  if (options.repeats) params.repeats = options.repeats;
  if (!procAvailable()) throw new Error('the suite reads server CPU and RSS from /proc; run it on Linux');
  const scenarios = selection(options.only);
  const ids = new Set(scenarios.map((s) => s.id));
  // Servers run as production does: the compiled dist/, on plain node.
  ensureServerBuilt();
  Object.assign(serverEnvOverrides, options.serverEnv);
  const pinning = pinLoadGenerator(options.pin);
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const notes: string[] = [];
  const profiles: ProfileSummary[] = [];
  if (Object.keys(options.serverEnv).length > 0) {
    notes.push(
      `Chat servers ran with --server-env ${Object.entries(options.serverEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} on top of each scenario's limits.`,
    );
  }
  const limit = fileLimit();
  if (limit < socketsNeeded(params) + 1024) {
    notes.push(
      `The file-descriptor limit (${limit}) is below the ${socketsNeeded(params)} sockets this run opens per process; expect connection errors.`,
    );
  }
  const wantsPostgres = ids.has('S1') || ids.has('S6') || ids.has('B-pg');
  const postgres = options.postgres && wantsPostgres ? await postgresReachable() : false;
  if (wantsPostgres && options.postgres && !postgres) {
    notes.push('PostgreSQL was unreachable: S1 ran on SQLite only, B-pg was skipped and S6 shared one SQLite file.');
  } else if (wantsPostgres && !options.postgres) {
    notes.push('--no-postgres: S1 ran on SQLite only, B-pg was skipped and S6 shared one SQLite file.');
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
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const contextFor = (repeat: number): BenchContext => ({
    pinning,
    params,
    selected: (id) => ids.has(id),
    postgres,
    redisUrl,
    profileDir,
    repeat,
    log: (message) => console.log(message),
    note: (message) => notes.push(message),
    addProfile: (summary) => profiles.push(summary),
  });

  const started = Date.now();
  console.log(
    `chat benchmark: ${params.mode}, ${params.repeats} repeat(s), ${runnable.map((s) => s.id).join(' ')}; ` +
      (pinning ? `servers on core ${pinning.serverCore}, load generator on core ${pinning.loadCore}` : 'no CPU pinning'),
  );
  const repeats: Metrics[] = [];
  const failures: Record<string, string[]> = {};
  const errors: string[] = [];
  for (let repeat = 1; repeat <= params.repeats; repeat++) {
    const metrics: Metrics = {};
    const ctx = contextFor(repeat);
    for (const scenario of runnable) {
      const t0 = Date.now();
      console.log(`[${repeat}/${params.repeats}] ${scenario.id}: ${scenario.title}`);
      try {
        Object.assign(metrics, await withTimeout(scenario.run(ctx), SCENARIO_TIMEOUT_MS, scenario.id));
        console.log(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (error) {
        killAllChildren();
        const message = (error instanceof Error ? error.message : String(error)).split('\n').slice(0, 3).join(' ').slice(0, 600);
        (failures[scenario.id] ??= []).push(`repeat ${repeat}: ${message}`);
        errors.push(`${scenario.id} (repeat ${repeat}): ${message}`);
        console.error(`  FAILED ${scenario.id} (repeat ${repeat}): ${message}`);
      }
    }
    repeats.push(metrics);
  }

  const info: RunInfo = {
    date: new Date().toISOString(),
    machine: machineInfo(loadBefore, fsyncBefore, storage),
    git: gitInfo(),
    mode: params.mode,
    repeats: params.repeats,
    pinning,
    durationSeconds: (Date.now() - started) / 1000,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  };
  const record: RunRecord = { info, params, repeats, failures, notes, profiles, serverEnv: options.serverEnv };
  const reports = writeResults(options.out, record, runnable, errors);
  if (profileDir) console.log(`CPU profiles in ${profileDir} (summarize: npx tsx bench/lib/profile-summary.ts <file>)`);
  const failed = reports.filter((r) => r.failures.length > 0).map((r) => r.id);
  if (failed.length > 0) console.error(`\nFAILED: ${failed.join(', ')} (refused or lost load, or a crash; see RESULTS.md)`);
  return failed.length > 0 || errors.length > 0 ? 1 : 0;
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
