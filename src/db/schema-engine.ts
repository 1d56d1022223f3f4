/**
 * Loads Prisma's schema engine compiled to WebAssembly without Node's
 * --experimental-wasm-modules flag: the JS glue is imported as a module and the
 * .wasm is instantiated by hand with that glue as its import object.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import { keepWasmOnBaselineTier } from './wasm-tiering.ts';

export type SchemaEngine = glue.SchemaEngine;

/** The slice of the WebAssembly API used here (Node has it; its types live in lib.dom). */
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let loaded: Promise<typeof glue.SchemaEngine> | undefined;

async function instantiate(): Promise<typeof glue.SchemaEngine> {
  keepWasmOnBaselineTier();
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
  const { instance } = await wasmApi.instantiate(readFileSync(wasmPath), {
    './schema_engine_bg.js': glue,
  });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue.SchemaEngine;
}

/** The SchemaEngine class, instantiated once per process. */
export function loadSchemaEngine(): Promise<typeof glue.SchemaEngine> {
  loaded ??= instantiate();
  return loaded;
}
