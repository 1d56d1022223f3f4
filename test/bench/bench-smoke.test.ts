/**
 * Keeps `npm run bench` from rotting: runs a tiny version of the suite (baselines, S1 on
 * SQLite, S2) as `npm run bench` would, and checks it produced numbers; then forces S2's sends
 * to be refused (the default-style rate limit via --server-env) and checks the run reports
 * that as a FAIL, without figures, and exits non-zero. Speed is not asserted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function runBench(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

interface SavedResults {
  runs: Record<string, (number | null)[]>;
  errors: string[];
  failures: Record<string, string[]>;
  targets: { scenario: string; result: string }[];
}

const readResults = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as SavedResults;

describe('benchmark suite (smoke)', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  // The suite builds dist/ when it is stale; do that here so the runs below are timed alone.
  beforeAll(() => {
    const built = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: root, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
  }, 180_000);

  it('runs a tiny S1 and S2 with their baselines and writes RESULTS.md and results.json with numbers', async () => {
    const dir = join(out, 'ok');
    const { code, output } = await runBench(['--tiny', '--only', 'S1,S2', '--no-pin', '--no-postgres', '--out', dir], 80_000);
    expect(code, output).toBe(0);
    const results = readResults(dir);
    expect(results.errors).toEqual([]);
    expect(results.failures).toEqual({});
    for (const key of [
      'B-http.rps',
      'B-http.cpuUs',
      'B-sqlite.send.rps',
      'B-sqlite.send.cpuUs',
      'B-ws.fanout.10.p99',
      'S1.sqlite.rps',
      'S1.sqlite.cpuUs',
      'S1.sqlite.p99',
      'S2.10.p99',
      'S2.10.cpuUs',
    ]) {
      expect(results.runs[key]?.[0], key).toBeGreaterThan(0);
    }
    const markdown = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
    expect(markdown).toContain('## S1 — ');
    expect(markdown).toMatch(/- Commit: `[0-9a-f]{40}`/);
    expect(markdown).toMatch(/- Load average \(1\/5\/15 min\): [\d.]+ \/ [\d.]+ \/ [\d.]+ before/);
    expect(markdown).toMatch(/- Disk \(16 KiB write \+ fsync .*\): p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms before; p50 [\d.]+ ms/);
    expect(markdown).toMatch(
      /- Databases off the disk's sync path: SQLite files in \S+( \(tmpfs\))?, PostgreSQL databases with `synchronous_commit = off`/,
    );
    expect(markdown).toMatch(/\| S1 \| SQLite: server CPU per send \| .* \| (PASS|MISS) \|/);
    expect(markdown).toMatch(/\| S2 \| .* \| (PASS|MISS) \|/);
  }, 90_000);

  it('reports a scenario whose sends were refused as FAIL, keeps none of its figures and exits non-zero', async () => {
    const dir = join(out, 'refused');
    const { code, output } = await runBench(
      ['--tiny', '--only', 'S2', '--no-pin', '--no-postgres', '--server-env', 'MESSAGES_PER_MINUTE=3', '--out', dir],
      60_000,
    );
    expect(code, output).toBe(1);
    const results = readResults(dir);
    expect(results.failures.S2?.[0]).toMatch(/refused/);
    expect(Object.keys(results.runs).filter((key) => key.startsWith('S2.'))).toEqual([]);
    const s2 = results.targets.filter((t) => t.scenario === 'S2');
    expect(s2.length).toBeGreaterThan(0);
    expect(s2.every((t) => t.result === 'FAIL')).toBe(true);
    const markdown = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
    expect(markdown).toMatch(/\| S2 \| .* \| FAIL \|/);
    expect(markdown).toContain('## Failed scenarios');
    expect(markdown).toContain('MESSAGES_PER_MINUTE=3');
  }, 70_000);
});
