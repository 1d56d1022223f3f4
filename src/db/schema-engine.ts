/**
 * Loads Prisma's schema engine compiled to WebAssembly without Node's
 * --experimental-wasm-modules flag: the JS glue is imported as a module and the
 * .wasm is instantiated by hand with that glue as its import object.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';

export type SchemaEngine = glue.SchemaEngine;

let loaded: Promise<typeof glue.SchemaEngine> | undefined;

async function instantiate(): Promise<typeof glue.SchemaEngine> {
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {
    './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports,
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
