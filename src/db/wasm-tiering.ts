/**
 * Keeps WebAssembly on V8's baseline compiler (Liftoff): no tier-up to TurboFan.
 *
 * Prisma 7 plans queries in a WebAssembly query compiler (~3 MB of wasm; the schema engine
 * that applies migrations is another). V8 compiles wasm functions lazily with Liftoff and,
 * by default, recompiles the hot ones with TurboFan on background threads. The compiler's
 * functions are large, so those TurboFan compilations take tens of MB of zone memory; it is
 * freed, but stays in the worker threads' malloc arenas for the life of the process (≈ 40 MB
 * of the idle server's RSS). The client caches every query plan, so the compiler runs once
 * per query shape, not per request, and its speed does not show in a request's CPU time
 * (docs/performance.md has the A/B numbers).
 *
 * V8 reads these flags when it compiles a wasm function, so this must run before the first
 * module is compiled; it applies to every wasm module the process compiles.
 */
import { setFlagsFromString } from 'node:v8';

let applied = false;

/** Idempotent; call before the first Prisma client (or schema engine) is created. */
export function keepWasmOnBaselineTier(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--no-wasm-dynamic-tiering');
  setFlagsFromString('--no-wasm-tier-up');
}
