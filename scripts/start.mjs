/**
 * `npm start` (and `npm run token`, `db:migrate`, `cluster`): runs a compiled entry point
 * from dist/ with plain node, building first when dist/ is missing or older than src/.
 *
 * Usage: node scripts/start.mjs [entry relative to dist/, default src/main.js] [args…]
 *
 * The entry runs in this very process (no child), so SIGTERM/SIGINT reach the server's
 * own handlers; package.json `exec`s this script so npm's shell does not stay in between.
 * In a production folder (no src/, see scripts/prod-install.sh) nothing is checked or built.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url);
const [entry = 'src/main.js', ...args] = process.argv.slice(2);

if (existsSync(new URL('src/', root))) {
  const { ensureBuilt } = await import('./build.mjs');
  try {
    ensureBuilt();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

const target = fileURLToPath(new URL(`dist/${entry}`, root));
if (!existsSync(target)) {
  console.error(`${target} does not exist: run \`npm run build\` first.`);
  process.exit(1);
}
// The entry sees itself as the script node was started with, and only its own arguments.
process.argv = [process.argv[0] ?? process.execPath, target, ...args];
await import(pathToFileURL(target).href);
