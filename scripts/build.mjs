/**
 * `npm run build`: compiles src/ and the run-time scripts to dist/ (tsconfig.build.json) and
 * copies what the compiled server reads from disk beside it: the migration folders
 * (dist/prisma/<provider>/migrations, found by src/db/migrations.ts relative to itself),
 * and bundles the demo chat page into dist/demo-page/ (scripts/demo-bundle.mjs).
 * The Prisma clients are compiled with the rest (they are generated into src/generated at
 * install time); their query compiler ships inside @prisma/client, a run-time dependency.
 *
 * dist/build-info.json records a hash of the inputs, so `npm start` (scripts/start.mjs)
 * can tell whether dist/ is older than the sources. Plain JavaScript: it runs before
 * anything is compiled and without tsx.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_DIST_FOLDER, writeDemoPageSync } from './demo-bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const providers = ['sqlite', 'postgresql'];

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** sha256 over the path and content of every file the build reads. */
export function inputsHash() {
  const files = [
    ...filesUnder(join(root, 'src')),
    ...filesUnder(join(root, 'scripts')).filter((file) => file.endsWith('.ts') || file.endsWith('demo-bundle.mjs')),
    ...providers.flatMap((provider) => filesUnder(join(root, 'prisma', provider, 'migrations'))),
    join(root, 'tsconfig.json'),
    join(root, 'tsconfig.build.json'),
    fileURLToPath(import.meta.url),
  ].sort();
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(`${relative(root, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex');
}

/** The hash dist/ was built from, or null when there is no (complete) build. */
export function builtHash() {
  try {
    return JSON.parse(readFileSync(join(dist, 'build-info.json'), 'utf8')).inputsHash ?? null;
  } catch {
    return null;
  }
}

/** Whether the compiler is installed (it is a devDependency: absent after `npm ci --omit=dev`). */
export function canBuild() {
  try {
    createRequire(import.meta.url).resolve('typescript/bin/tsc');
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles into a scratch folder and swaps it in, so a server started meanwhile never
 * sees half a build. Returns false (after printing tsc's errors) when compiling failed.
 */
export function build() {
  const hash = inputsHash();
  const scratch = join(root, `dist.tmp-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', scratch], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (compiled.status !== 0) {
    rmSync(scratch, { recursive: true, force: true });
    return false;
  }
  for (const provider of providers) {
    const migrations = join(root, 'prisma', provider, 'migrations');
    if (existsSync(migrations)) cpSync(migrations, join(scratch, 'prisma', provider, 'migrations'), { recursive: true });
  }
  // The demo chat page (served at /demo outside production), bundled for the browser.
  try {
    writeDemoPageSync(join(scratch, DEMO_DIST_FOLDER));
  } catch (error) {
    console.error(`bundling the demo page failed: ${error instanceof Error ? error.message : String(error)}`);
    rmSync(scratch, { recursive: true, force: true });
    return false;
  }
  writeFileSync(join(scratch, 'build-info.json'), `${JSON.stringify({ inputsHash: hash, builtAt: new Date().toISOString() }, null, 2)}\n`);
  const old = join(root, `dist.old-${process.pid}`);
  if (existsSync(dist)) renameSync(dist, old);
  try {
    renameSync(scratch, dist);
  } catch (error) {
    // Another build swapped its dist/ in between: keep that one.
    if (!existsSync(dist)) throw error;
    rmSync(scratch, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  return true;
}

/**
 * Builds when dist/ is missing or older than the sources. Without the compiler (a
 * production install of a full checkout) a stale dist/ is used as it is, with a warning.
 */
export function ensureBuilt() {
  const current = builtHash();
  if (current !== null && current === inputsHash()) return;
  if (!canBuild()) {
    if (current !== null) {
      console.error('dist/ is older than src/, but TypeScript is not installed (npm ci --omit=dev?): running the existing build.');
      return;
    }
    throw new Error('dist/ is missing and TypeScript is not installed: run `npm ci` (with dev dependencies), then `npm run build`.');
  }
  console.error(
    current === null
      ? 'dist/ is missing: building (npm run build)…'
      : 'src/ changed since the last build: rebuilding dist/ (npm run build)…',
  );
  if (!build()) throw new Error('npm run build failed (see the TypeScript errors above).');
}

// `node scripts/build.mjs` always builds; `--if-stale` only when dist/ is missing or stale.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-stale')) {
    try {
      ensureBuilt();
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    }
  } else {
    if (!build()) process.exit(1);
    console.log(`built ${relative(process.cwd(), dist) || 'dist'}/`);
  }
}
