/** The results table: console text, RESULTS.md and results.json. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Params } from './params.ts';
import type { Pinning } from './processes.ts';
import { rowPasses, type ReportRow } from './scenario.ts';

export interface ScenarioReport {
  id: string;
  title: string;
  rows: ReportRow[];
}

export interface RunInfo {
  date: string;
  machine: { nproc: number; model: string; node: string; kernel: string };
  mode: Params['mode'];
  repeats: number;
  pinning: Pinning | null;
  durationSeconds: number;
  command: string;
}

export function machineInfo(): RunInfo['machine'] {
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
  return { nproc, model, node: process.version, kernel };
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

function verdict(row: ReportRow): string {
  const pass = rowPasses(row);
  if (pass === undefined) return '';
  const measured = row.targetOn === 'ratio' ? row.ratio : row.value;
  if (measured === undefined || !Number.isFinite(measured)) return 'n/a';
  return pass ? 'PASS' : 'MISS';
}

function cells(row: ReportRow): string[] {
  return [
    row.metric,
    `${formatNumber(row.value)}${row.unit ? ` ${row.unit}` : ''}`,
    row.baseline ? `${formatNumber(row.baseline.value)} (${row.baseline.label})` : '',
    row.ratio !== undefined ? `${formatNumber(row.ratio)}×` : '',
    row.target?.text ?? '',
    verdict(row),
  ];
}

const HEADER = ['Metric', 'Median', 'Baseline', 'Ratio', 'Target', 'Result'];

export function consoleTable(reports: ScenarioReport[]): string {
  const lines: string[] = [];
  for (const report of reports) {
    const rows = [HEADER, ...report.rows.map(cells)];
    const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    lines.push('', `${report.id} — ${report.title}`);
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

export function targetSummary(
  reports: ScenarioReport[],
): { scenario: string; metric: string; measured: number; target: string; result: string }[] {
  return reports.flatMap((report) =>
    report.rows
      .filter((row) => row.target)
      .map((row) => ({
        scenario: report.id,
        metric: row.metric,
        measured: (row.targetOn === 'ratio' ? row.ratio : row.value) ?? NaN,
        target: row.target!.text,
        result: verdict(row),
      })),
  );
}

export function markdown(info: RunInfo, reports: ScenarioReport[], errors: string[], notes: string[]): string {
  const out: string[] = [];
  out.push('# Benchmark results', '');
  out.push(`- Date: ${info.date}`);
  out.push(`- Machine: ${info.machine.nproc} × ${info.machine.model}, ${info.machine.kernel}, Node ${info.machine.node}`);
  out.push(
    `- Mode: ${info.mode}, ${info.repeats} repeat(s), medians reported (loss, duplicates, errors and writes: worst repeat); run took ${Math.round(info.durationSeconds)} s`,
  );
  out.push(
    `- Pinning: ${info.pinning ? `servers on core ${info.pinning.serverCore}, load generator on core ${info.pinning.loadCore} (taskset)` : 'none'}`,
  );
  out.push(`- Command: \`${info.command}\``, '');
  const summary = targetSummary(reports);
  if (summary.length > 0) {
    out.push('## Targets', '', '| Scenario | Metric | Measured | Target | Result |', '|---|---|---|---|---|');
    for (const row of summary)
      out.push(`| ${row.scenario} | ${row.metric} | ${formatNumber(row.measured)} | ${row.target} | ${row.result} |`);
    out.push('');
  }
  for (const report of reports) {
    out.push(`## ${report.id} — ${report.title}`, '', `| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`);
    for (const row of report.rows) out.push(`| ${cells(row).join(' | ')} |`);
    out.push('');
  }
  if (notes.length > 0) out.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  if (errors.length > 0) out.push('## Errors', '', ...errors.map((e) => `- ${e}`), '');
  return out.join('\n');
}
