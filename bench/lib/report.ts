/** The results table: console text, RESULTS.md and results.json. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { type Storage, TMPFS_FOLDER } from './databases.ts';
import { type FsyncLatency, probeFsync } from './disk-probe.ts';
import type { Params } from './params.ts';
import { type Pinning, repoRoot } from './processes.ts';
import { type ProfileSummary, type ReportRow, rowPasses } from './scenario.ts';

export interface ScenarioReport {
  id: string;
  title: string;
  rows: ReportRow[];
  /** Why the scenario (or a baseline it needs) failed in some repeat; empty when it did not. */
  failures: string[];
}

export interface MachineInfo {
  nproc: number;
  model: string;
  node: string;
  kernel: string;
  /** 1, 5 and 15 minute load averages when the run started and when it ended. */
  loadBefore: number[];
  loadAfter: number[];
  /** Where the databases kept their data (absent in records from before it was recorded). */
  storage?: Storage;
  /** The disk's fsync latency (disk-probe.ts) when the run started and when it ended. */
  fsyncBefore?: FsyncLatency;
  fsyncAfter?: FsyncLatency;
}

export interface GitInfo {
  commit: string;
  branch: string;
  /** Uncommitted changes outside bench/RESULTS.md and bench/results.json. */
  dirty: boolean;
}

export interface RunInfo {
  date: string;
  machine: MachineInfo;
  git: GitInfo;
  mode: Params['mode'];
  repeats: number;
  pinning: Pinning | null;
  durationSeconds: number;
  command: string;
}

export const loadAverage = (): number[] => loadavg().map((v) => Math.round(v * 100) / 100);

export function machineInfo(loadBefore: number[], fsyncBefore: FsyncLatency, storage: Storage): MachineInfo {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    model = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {
    // not Linux: keep os.cpus()
  }
  let nproc = cpus().length;
  let kernel = '';
  try {
    // --all: this process is pinned to one core, which plain nproc would report.
    nproc = Number(execFileSync('nproc', ['--all']).toString().trim()) || nproc;
    kernel = execFileSync('uname', ['-sr']).toString().trim();
  } catch {
    // keep os values
  }
  return {
    nproc,
    model,
    node: process.version,
    kernel,
    loadBefore,
    loadAfter: loadAverage(),
    storage,
    fsyncBefore,
    fsyncAfter: probeFsync(),
  };
}

export function gitInfo(): GitInfo {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  try {
    const status = git('status', '--porcelain')
      .split('\n')
      .filter((line) => line && !/bench\/(RESULTS\.md|results\.json)$/.test(line));
    return { commit: git('rev-parse', 'HEAD'), branch: git('rev-parse', '--abbrev-ref', 'HEAD'), dirty: status.length > 0 };
  } catch {
    return { commit: 'unknown', branch: 'unknown', dirty: true };
  }
}

/** Three significant digits, thousands grouped; an em dash for a missing number. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1 || abs === 0) return value.toFixed(2);
  return value.toPrecision(2);
}

function formatSpread(spread: { min: number; max: number } | undefined): string {
  if (!spread || !Number.isFinite(spread.min)) return '';
  return `${formatNumber(spread.min)}–${formatNumber(spread.max)}`;
}

/** PASS / MISS against the target; FAIL when the scenario's load was refused or lost; n/a without a number. */
export function verdict(row: ReportRow, failed: boolean): string {
  if (!row.target) return '';
  if (failed) return 'FAIL';
  const pass = rowPasses(row);
  const measured = row.targetOn === 'ratio' ? row.ratio : row.value;
  if (measured === undefined || !Number.isFinite(measured)) return 'n/a';
  return pass ? 'PASS' : 'MISS';
}

function cells(row: ReportRow, failed: boolean): string[] {
  return [
    row.metric,
    `${formatNumber(row.value)}${row.unit ? ` ${row.unit}` : ''}`,
    formatSpread(row.spread),
    row.baseline ? `${formatNumber(row.baseline.value)} (${row.baseline.label})` : '',
    row.ratio !== undefined ? `${formatNumber(row.ratio)}×` : '',
    formatSpread(row.ratioSpread),
    row.target?.text ?? '',
    verdict(row, failed),
  ];
}

const HEADER = ['Metric', 'Median', 'Spread', 'Baseline', 'Ratio', 'Ratio spread', 'Target', 'Result'];

export function consoleTable(reports: ScenarioReport[]): string {
  const lines: string[] = [];
  for (const report of reports) {
    const failed = report.failures.length > 0;
    const rows = [HEADER, ...report.rows.map((row) => cells(row, failed))];
    const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    lines.push('', `${report.id} — ${report.title}${failed ? ' — FAILED' : ''}`);
    rows.forEach((r, i) => {
      lines.push(
        r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('  ')
          .trimEnd(),
      );
      if (i === 0) lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
    });
  }
  return lines.join('\n');
}

export interface TargetLine {
  scenario: string;
  metric: string;
  measured: number;
  /** '×' when the target is on the ratio, else the row's unit. */
  unit: string;
  spread: string;
  target: string;
  result: string;
}

export function targetSummary(reports: ScenarioReport[]): TargetLine[] {
  const lines: TargetLine[] = [];
  for (const report of reports) {
    const failed = report.failures.length > 0;
    const targeted = report.rows.filter((row) => row.target);
    if (failed && targeted.length === 0) {
      lines.push({
        scenario: report.id,
        metric: 'scenario ran without refusals or loss',
        measured: NaN,
        unit: '',
        spread: '',
        target: 'no failure',
        result: 'FAIL',
      });
    }
    for (const row of targeted) {
      const onRatio = row.targetOn === 'ratio';
      lines.push({
        scenario: report.id,
        metric: row.metric,
        measured: (onRatio ? row.ratio : row.value) ?? NaN,
        unit: onRatio ? '×' : row.unit,
        spread: formatSpread(onRatio ? row.ratioSpread : row.spread),
        target: row.target!.text,
        result: verdict(row, failed),
      });
    }
  }
  return lines;
}

function profileSection(profile: ProfileSummary): string[] {
  const out = [`### ${profile.title}`, ''];
  const perOp = profile.operations > 0 ? ` (${formatNumber((profile.busyMs * 1000) / profile.operations)} µs busy per request)` : '';
  out.push(`${formatNumber(profile.busyMs)} ms of busy CPU sampled${perOp}; \`${profile.file}\`.`, '');
  out.push('| Area | Share of busy time |', '|---|---|');
  for (const area of profile.areas) out.push(`| ${area.name} | ${(area.share * 100).toFixed(1)} % |`);
  out.push('', '| Hottest functions (self time) | Where | Share |', '|---|---|---|');
  for (const entry of profile.top) out.push(`| ${entry.name} | ${entry.location} | ${(entry.share * 100).toFixed(1)} % |`);
  out.push('');
  return out;
}

export interface MarkdownInput {
  info: RunInfo;
  reports: ScenarioReport[];
  errors: string[];
  notes: string[];
  profiles: ProfileSummary[];
}

export function markdown({ info, reports, errors, notes, profiles }: MarkdownInput): string {
  const out: string[] = [];
  const { machine, git } = info;
  out.push('# Benchmark results', '');
  if (info.mode !== 'full')
    out.push(`> **${info.mode} run**: smaller sizes and fewer repeats than the full suite; not the committed result.`, '');
  out.push(`- Date: ${info.date}`);
  out.push(`- Commit: \`${git.commit}\` (${git.branch})${git.dirty ? ', **working tree dirty**' : ', clean tree'}`);
  out.push(`- Machine: ${machine.nproc} × ${machine.model}, ${machine.kernel}, Node ${machine.node}`);
  out.push(`- Load average (1/5/15 min): ${machine.loadBefore.join(' / ')} before, ${machine.loadAfter.join(' / ')} after`);
  if (machine.fsyncBefore && machine.fsyncAfter) {
    const fsync = (f: FsyncLatency) => `p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, max ${f.maxMs} ms`;
    out.push(
      `- Disk (16 KiB write + fsync in the OS temporary folder, 50 times): ${fsync(machine.fsyncBefore)} before; ${fsync(machine.fsyncAfter)} after`,
    );
  }
  if (machine.storage)
    out.push(
      machine.storage.onDisk
        ? `- Databases on the disk (\`--on-disk\`): SQLite files in ${machine.storage.folder}, PostgreSQL commits durable`
        : `- Databases off the disk's sync path: SQLite files in ${machine.storage.folder}${machine.storage.folder === TMPFS_FOLDER ? ' (tmpfs)' : ''}, PostgreSQL databases with \`synchronous_commit = off\` (\`--on-disk\` keeps both on the disk)`,
    );
  out.push(
    `- Mode: ${info.mode}, ${info.repeats} repeat(s), interleaved; median reported with the min–max over repeats ("Spread"); ratios are the median of the per-repeat ratios; run took ${Math.round(info.durationSeconds)} s`,
  );
  out.push(
    `- Pinning: ${info.pinning ? `servers on core ${info.pinning.serverCore}, load generator on core ${info.pinning.loadCore} (taskset)` : 'none'}`,
  );
  out.push(`- Command: \`${info.command}\``, '');
  const summary = targetSummary(reports);
  if (summary.length > 0) {
    out.push('## Targets', '', '| Scenario | Metric | Measured | Spread | Target | Result |', '|---|---|---|---|---|---|');
    for (const row of summary)
      out.push(
        `| ${row.scenario} | ${row.metric} | ${formatNumber(row.measured)}${Number.isFinite(row.measured) && row.unit ? (row.unit === '×' ? '×' : ` ${row.unit}`) : ''} | ${row.spread}${row.spread && row.unit === '×' ? '×' : ''} | ${row.target} | ${row.result} |`,
      );
    out.push('');
  }
  const failed = reports.filter((r) => r.failures.length > 0);
  if (failed.length > 0) {
    out.push('## Failed scenarios', '');
    for (const report of failed) for (const failure of report.failures) out.push(`- ${report.id}: ${failure}`);
    out.push('');
  }
  for (const report of reports) {
    const isFailed = report.failures.length > 0;
    out.push(
      `## ${report.id} — ${report.title}${isFailed ? ' (FAILED)' : ''}`,
      '',
      `| ${HEADER.join(' | ')} |`,
      `|${HEADER.map(() => '---').join('|')}|`,
    );
    for (const row of report.rows) out.push(`| ${cells(row, isFailed).join(' | ')} |`);
    out.push('');
  }
  if (profiles.length > 0) {
    out.push('## Profiles', '');
    for (const profile of profiles) out.push(...profileSection(profile));
  }
  if (notes.length > 0) out.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  if (errors.length > 0) out.push('## Errors', '', ...errors.map((e) => `- ${e}`), '');
  return out.join('\n');
}
