/**
 * Keeps `npm run bench` from rotting: runs a tiny version of the suite (baselines, S1 on
 * SQLite, S2) as `npm run bench` would, and checks it produced numbers. Speed is not asserted.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 80_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('benchmark suite (smoke)', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs a tiny S1 and S2 with their baselines and writes RESULTS.md and results.json with numbers', async () => {
    const { code, output } = await runBench(['--tiny', '--only', 'S1,S2', '--no-pin', '--no-postgres', '--out', out]);
    expect(code, output).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { medians: Record<string, number>; errors: string[] };
    expect(results.errors).toEqual([]);
    for (const key of [
      'B-http.rps',
      'B-sqlite.send.rps',
      'B-ws.fanout.10.p99',
      'S1.sqlite.rps',
      'S1.sqlite.p99',
      'S2.10.p99',
      'S2.10.cpuUs',
    ]) {
      expect(results.medians[key], key).toBeGreaterThan(0);
    }
    expect(results.medians['S2.10.lost']).toBe(0);
    const markdown = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    expect(markdown).toContain('## S1 — ');
    expect(markdown).toMatch(/\| S2 \| .* \| (PASS|MISS) \|/);
  }, 90_000);
});
