/** What a scenario is to the orchestrator: a run that yields flat metrics, and rows that report their medians. */
import type { Params } from './params.ts';
import type { Pinning } from './processes.ts';

/** One repeat's numbers, keyed `<scenario>.<part>.<metric>` (e.g. `S1.sqlite.rps`). */
export type Metrics = Record<string, number>;

export interface BenchContext {
  pinning: Pinning | null;
  params: Params;
  /** Whether the scenario (or baseline) with this id runs in this invocation. */
  selected(id: string): boolean;
  postgres: boolean;
  redisUrl: string;
  /** Folder for server CPU profiles when --profile is on, else null. */
  profileDir: string | null;
  /** 1-based repeat number of this run. */
  repeat: number;
  log(message: string): void;
  /** A line for RESULTS.md's notes (e.g. a warm-up that never settled). */
  note(message: string): void;
  /** A CPU profile's summary, rendered into RESULTS.md. */
  addProfile(summary: ProfileSummary): void;
}

/** What RESULTS.md shows of a CPU profile: time share per area and the hottest functions. */
export interface ProfileSummary {
  title: string;
  file: string;
  /** Busy (non-idle) time sampled, ms. */
  busyMs: number;
  /** Requests (or deliveries) served while profiling, to give time per request. */
  operations: number;
  areas: { name: string; share: number }[];
  top: { name: string; location: string; share: number }[];
}

/**
 * The load was refused or lost (a throttled send, a missing delivery, an error response):
 * the repeat's numbers are discarded and the scenario shows FAIL.
 */
export class ScenarioFailure extends Error {}

export interface Target {
  /** Human form, e.g. "≤ 1.5× raw ws". */
  text: string;
  pass(value: number): boolean;
}

export interface ReportRow {
  metric: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number };
  /** value / baseline.value (in the results: the median of the per-repeat ratios) */
  ratio?: number;
  /** Lowest and highest value over the repeats (filled in by the orchestrator). */
  spread?: { min: number; max: number };
  /** Lowest and highest ratio over the repeats (filled in by the orchestrator). */
  ratioSpread?: { min: number; max: number };
  target?: Target;
  /** What the target was checked against: the ratio or the value itself. */
  targetOn?: 'ratio' | 'value';
}

export interface Scenario {
  id: string;
  title: string;
  /** Baselines are run whenever a selected scenario lists them in `needs`. */
  baseline?: boolean;
  needs?: string[];
  run(ctx: BenchContext): Promise<Metrics>;
  /** Rows from the medians over the repeats (`m(key)` is NaN for a missing key). */
  report(m: (key: string) => number, params: Params): ReportRow[];
}

export function plainRow(metric: string, value: number, unit: string): ReportRow {
  return { metric, value, unit };
}

/** A value compared with a baseline; the target, if any, applies to the ratio. */
export function ratioRow(
  metric: string,
  value: number,
  unit: string,
  baselineLabel: string,
  baselineValue: number,
  target?: Target,
): ReportRow {
  return {
    metric,
    value,
    unit,
    baseline: { label: baselineLabel, value: baselineValue },
    ratio: value / baselineValue,
    target,
    targetOn: 'ratio',
  };
}

/** A value with an absolute target. */
export function targetRow(metric: string, value: number, unit: string, target: Target): ReportRow {
  return { metric, value, unit, target, targetOn: 'value' };
}

export const atMost = (limit: number, text: string): Target => ({ text, pass: (v) => Number.isFinite(v) && v <= limit });
export const atLeast = (limit: number, text: string): Target => ({ text, pass: (v) => Number.isFinite(v) && v >= limit });
export const below = (limit: number, text: string): Target => ({ text, pass: (v) => Number.isFinite(v) && v < limit });
export const exactly = (expected: number, text: string): Target => ({ text, pass: (v) => v === expected });

/** Whether a row met its target (undefined when it has none). */
export function rowPasses(row: ReportRow): boolean | undefined {
  if (!row.target) return undefined;
  return row.target.pass(row.targetOn === 'ratio' ? (row.ratio ?? NaN) : row.value);
}
