/**
 * A bounded, seeded fuzz run of the server's edges inside `npm test`: raw HTTP requests,
 * WebSocket upgrades and graphql-transport-ws frames (malformed ones included) against the
 * real server in a child process. The longer run is `npm run fuzz -- --seed N --iterations N`.
 */
import { describe, expect, it } from 'vitest';
import { formatFailure, runFuzz } from './fuzz-run.ts';

/** Fixed, so `npm test` is deterministic; change it only together with a reason in the commit. */
const SEED = 20_240_617;
const ITERATIONS = 150;

describe('fuzzing the edges', () => {
  it(`survives ${ITERATIONS} generated requests, upgrades and frames (seed ${SEED}) with health, no leaks and stored data unchanged`, async () => {
    const report = await runFuzz({ seed: SEED, iterations: ITERATIONS, batchSize: 25 });
    const failure = report.failures[0];
    if (failure) {
      const message = `${formatFailure(failure)}\nreplay the whole run: npm run fuzz -- --seed ${SEED} --iterations ${ITERATIONS}`;
      console.error(message);
      expect.fail(message);
    }
    expect(report.ran).toBe(ITERATIONS);
  }, 90_000);
});
