/**
 * Bundles the demo chat page (src/demo/client) with esbuild: one script and one style sheet,
 * everything the page needs (urql, graphql-ws) inlined, so it is served from this server
 * alone. `npm run build` writes them to dist/demo-page/; a server running from src/
 * (`npm run dev`, the tests) calls bundleDemoPage() itself when the page is opened.
 * Plain JavaScript, like build.mjs: it runs before anything is compiled.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The client's entry point. */
export const DEMO_ENTRY = join(root, 'src', 'demo', 'client', 'main.ts');

/** The folder (below dist/) the built page lives in; src/http/demo-page.ts looks for it there. */
export const DEMO_DIST_FOLDER = 'demo-page';

/** esbuild's options: one IIFE script and the style sheet it imports, minified, for current browsers. */
const options = {
  entryPoints: [DEMO_ENTRY],
  bundle: true,
  write: false,
  outdir: 'out',
  entryNames: 'app',
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  legalComments: 'none',
  logLevel: 'silent',
};

function filesOf(result) {
  const text = (extension) => result.outputFiles.find((file) => file.path.endsWith(extension))?.text ?? '';
  return { js: text('.js'), css: text('.css') };
}

/**
 * Resolves with `{ js, css }` (strings). esbuild is a devDependency: a production install
 * has no bundler, but it never serves the page either.
 */
export async function bundleDemoPage() {
  const esbuild = await import('esbuild');
  return filesOf(await esbuild.build(options));
}

/** Writes app.js and app.css into `dir` (created when missing); synchronous, for build.mjs. */
export function writeDemoPageSync(dir) {
  const esbuild = createRequire(import.meta.url)('esbuild');
  const { js, css } = filesOf(esbuild.buildSync(options));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'app.js'), js);
  writeFileSync(join(dir, 'app.css'), css);
}
