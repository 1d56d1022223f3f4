/**
 * Keeps V8's young generation at its initial size while the server starts.
 *
 * Loading the modules and building the schema allocate tens of MB that live for the whole
 * process. V8 sees that much surviving its young-generation collections and grows the young
 * generation to its maximum (2 × 16 MB on 64-bit) — and never shrinks it while the process
 * stays idle, so an idle server keeps ~19 MB of empty young generation resident. Start-up
 * gains nothing from the bigger nursery (what it allocates survives anyway), so growth is
 * held off until the server listens; from then on V8 grows it under load as it always
 * does (send-path CPU is unchanged, see docs/performance.md).
 *
 * Importing this module holds growth: main.ts imports it before anything else. A
 * `--semi-space-growth-factor` given on the command line is left alone.
 */
import { setFlagsFromString } from 'node:v8';

/** V8's default (Node 20, V8 11.3: `node --v8-options`). */
const DEFAULT_GROWTH_FACTOR = 2;

const chosenByOperator = process.execArgv.some((arg) => /^--semi[-_]space[-_]growth[-_]factor/.test(arg));

if (!chosenByOperator) setFlagsFromString('--semi-space-growth-factor=1');

/** Lets the young generation grow again (call once the server listens). */
export function releaseYoungGeneration(): void {
  if (!chosenByOperator) setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`);
}
