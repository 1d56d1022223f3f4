/**
 * `npm run fuzz -- --seed N --iterations N [--from I] [--batch N] [--keep-going]`: throws
 * generated raw HTTP requests and WebSocket sessions at the real server in a child process
 * and reports every case that crashes it, leaks internals, answers 5xx or changes stored data.
 * Without --seed a random seed is chosen and printed. Exit code 1 when anything failed.
 */
import { parseArgs } from 'node:util';
import { failureSignature, runFuzz } from '../test/fuzz/fuzz-run.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    iterations: { type: 'string', default: '2000' },
    from: { type: 'string', default: '0' },
    batch: { type: 'string', default: '25' },
    'case-timeout': { type: 'string', default: '1500' },
    'keep-going': { type: 'boolean', default: false },
  },
});

const int = (name: string, raw: string | undefined): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number; got "${raw}"`);
  return value;
};
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int('seed', values.seed);
console.log(`fuzzing with seed ${seed} (replay with: npm run fuzz -- --seed ${seed})`);
const report = await runFuzz({
  seed,
  iterations: int('iterations', values.iterations),
  from: int('from', values.from),
  batchSize: Math.max(1, int('batch', values.batch)),
  caseTimeoutMs: int('case-timeout', values['case-timeout']),
  keepGoing: values['keep-going'],
  log: (line) => console.log(line),
});
console.log(
  `seed ${seed}: ran ${report.ran} cases in ${report.ms} ms, ${report.failures.length} failures, ${report.restarts} server restarts`,
);
const bySignature = new Map<string, number[]>();
for (const failure of report.failures) {
  const signature = failureSignature(failure);
  bySignature.set(signature, [...(bySignature.get(signature) ?? []), failure.iteration]);
}
for (const [signature, found] of bySignature) {
  console.log(
    `  ${found.length}× ${signature}\n     first at iteration ${found[0]}: ${found.length > 1 ? `also ${found.slice(1, 8).join(', ')}${found.length > 8 ? ', …' : ''}` : 'only there'}`,
  );
}
process.exit(report.failures.length > 0 ? 1 : 0);
