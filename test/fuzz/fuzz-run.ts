/**
 * The fuzz loop: generated raw HTTP requests and WebSocket sessions against a child
 * server, one at a time (so a crash is pinned to one iteration), with the invariants
 * checked after every batch. Iteration `i` of seed `s` is always the same case.
 */
import { exchangeHttp, exchangeWs, type Observation } from './exchange.ts';
import type { FuzzContext } from './fuzz-context.ts';
import { startFuzzTarget, type FuzzTarget } from './fuzz-target.ts';
import { generateHttpRequest } from './http-cases.ts';
import { findLeak } from './leaks.ts';
import { Prng } from './prng.ts';
import { generateWsSession } from './ws-cases.ts';

export interface FuzzOptions {
  seed: number;
  /** How many cases to run. */
  iterations: number;
  /** First iteration (to replay one case: `from: i, iterations: 1`); default 0. */
  from?: number;
  /** Cases between invariant checks (health, stored data); default 25. */
  batchSize?: number;
  /** Longest one case may take; default 1500 ms. */
  caseTimeoutMs?: number;
  /** After a failure, restart the server if needed and go on (to list every failing case); default false. */
  keepGoing?: boolean;
  /** Progress lines; default none. */
  log?: (line: string) => void;
}

export interface FuzzFailure {
  seed: number;
  iteration: number;
  batch: number;
  /** What the case sent. */
  label: string;
  problems: string[];
  /** How long into the run the failure was seen. */
  atMs: number;
  replay: string;
}

export interface FuzzReport {
  seed: number;
  ran: number;
  failures: FuzzFailure[];
  ms: number;
  restarts: number;
}

interface GeneratedCase {
  label: string;
  run(ctx: FuzzContext, timeoutMs: number): Promise<Observation>;
}

/** The case of iteration `iteration` of seed `seed`. */
export function generateCase(seed: number, iteration: number, ctx: FuzzContext): GeneratedCase {
  const prng = Prng.forIteration(seed, iteration);
  const target = { host: ctx.host, port: ctx.port };
  if (prng.chance(0.45)) {
    const request = generateHttpRequest(prng, ctx);
    return { label: request.label, run: (_, timeoutMs) => exchangeHttp({ ...target, timeoutMs }, request) };
  }
  const session = generateWsSession(prng, ctx);
  return { label: session.label, run: (_, timeoutMs) => exchangeWs({ ...target, timeoutMs }, session) };
}

/** What is wrong with one answer: a 5xx, an internal-error close, or a leak. */
function answerProblems(observation: Observation): string[] {
  const problems: string[] = [];
  const fiveXx = observation.statuses.filter((status) => status >= 500);
  if (fiveXx.length > 0) problems.push(`answered HTTP ${fiveXx.join(', ')}`);
  const internal = observation.closeCodes.filter((code) => code === 1011 || code === 4500);
  if (internal.length > 0) problems.push(`closed the WebSocket with ${internal.join(', ')} (internal error)`);
  for (const text of observation.texts) {
    const leak = findLeak(text);
    if (leak) {
      problems.push(`response leaks ${leak}`);
      break;
    }
  }
  return problems;
}

/** Is the process still serving? (a quick /healthz; false once it is gone). */
async function alive(target: FuzzTarget): Promise<boolean> {
  if (target.server.child.exitCode !== null || target.server.child.signalCode !== null) return false;
  try {
    const response = await fetch(`${target.server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Waits for the process to exit (up to `ms`), so its last stderr lines are in. */
async function settleExit(target: FuzzTarget, ms: number): Promise<void> {
  if (target.server.child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    target.server.child.once('exit', () => (clearTimeout(timer), resolve()));
  });
}

export function replayCommand(seed: number, iteration: number): string {
  return `npm run fuzz -- --seed ${seed} --from ${iteration} --iterations 1`;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { seed, iterations, from = 0, batchSize = 25, caseTimeoutMs = 1500, keepGoing = false, log = () => {} } = options;
  const started = Date.now();
  const failures: FuzzFailure[] = [];
  let restarts = 0;
  let target = await startFuzzTarget();
  const fail = (iteration: number, label: string, problems: string[]) => {
    const failure: FuzzFailure = {
      seed,
      iteration,
      batch: Math.floor((iteration - from) / batchSize),
      label,
      problems,
      atMs: Date.now() - started,
      replay: replayCommand(seed, iteration),
    };
    failures.push(failure);
    log(formatFailure(failure));
  };
  let ran = 0;
  try {
    for (let iteration = from; iteration < from + iterations; iteration++) {
      const generated = generateCase(seed, iteration, target.ctx);
      let problems: string[] = [];
      try {
        problems = answerProblems(await generated.run(target.ctx, caseTimeoutMs));
      } catch (error) {
        problems.push(`could not talk to the server: ${String(error)}`);
      }
      ran++;
      if (!(await alive(target))) {
        await settleExit(target, 3000);
        problems.push('the server stopped serving (crash)');
      }
      problems.push(...target.newProcessProblems());
      const endOfBatch = (iteration - from + 1) % batchSize === 0 || iteration === from + iterations - 1;
      if (endOfBatch && problems.length === 0) problems.push(...(await target.checkInvariants()));
      if (endOfBatch)
        log(`seed ${seed}: ${iteration - from + 1}/${iterations} cases, ${failures.length} failures, ${Date.now() - started} ms`);
      if (problems.length === 0) continue;
      fail(iteration, generated.label, [...new Set(problems)]);
      if (!keepGoing) break;
      if (!(await alive(target)) || (await target.checkInvariants()).length > 0) {
        await target.stop().catch(() => {});
        target = await startFuzzTarget();
        restarts++;
      }
    }
  } finally {
    await target.stop().catch(() => {});
  }
  return { seed, ran, failures, ms: Date.now() - started, restarts };
}

export function formatFailure(failure: FuzzFailure): string {
  return [
    `FUZZ FAILURE seed=${failure.seed} batch=${failure.batch} iteration=${failure.iteration} (after ${failure.atMs} ms)`,
    `  case: ${failure.label.slice(0, 1500)}`,
    ...failure.problems.map((problem) => `  - ${problem.slice(0, 1500)}`),
    `  replay: ${failure.replay}`,
  ].join('\n');
}

/** A short name for what went wrong, to group failures of one cause (the error and the first frame in src/). */
export function failureSignature(failure: FuzzFailure): string {
  const crash = failure.problems.find((problem) => problem.startsWith('crash output'));
  if (crash) {
    const error = /^\s*((?:\w*Error|Error)\b[^\n]{0,90})/m.exec(crash)?.[1] ?? 'unknown error';
    const frame = /\((?:[^()\n]*\/)?(src\/[^)\s]+)\)/.exec(crash)?.[1] ?? /\bat ([^\n]{0,80})/.exec(crash)?.[1] ?? '';
    return `crash: ${error.trim().replace(/\d+/g, 'N')} ${frame ? `@ ${frame}` : ''}`.trim();
  }
  const errorLog = failure.problems.find((problem) => problem.startsWith('error logged'));
  if (errorLog) {
    const message = /"message":"([^"]*)"/.exec(errorLog)?.[1] ?? '';
    const cause = /"error":\{"name":"(\w+)","message":"([^"]{0,60})/.exec(errorLog);
    return `error log: ${message}${cause ? ` (${cause[1]}: ${cause[2]})` : ''}`;
  }
  return failure.problems
    .filter((problem) => !problem.startsWith('the server stopped') && !problem.startsWith('server process exited'))
    .map((problem) => problem.replace(/"[^"]*"/g, '…').slice(0, 90))
    .join('; ');
}
