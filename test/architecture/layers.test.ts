/**
 * The layers of src/ and the one direction of every import between them (docs/architecture.md
 * draws the same table). Every relative import of every file under src/ is checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

type Layer = 'main' | 'app' | 'transport' | 'schema' | 'services' | 'realtime' | 'repositories' | 'infrastructure' | 'client';

const SRC = resolve(import.meta.dirname, '../../src');

/** Which layer a file under src/ belongs to (paths relative to src/, with forward slashes). */
function layerOf(path: string): Layer {
  if (path === 'main.ts') return 'main';
  if (path === 'app.ts') return 'app';
  // The demo page's browser code: bundled for the browser, imports nothing of the server.
  if (path.startsWith('demo/client/')) return 'client';
  // Reading and verifying a token is the edge's work; the Principal it yields is shared by all.
  if (/^(http|ws|socketio|rest|graphql)\//.test(path) || /^auth\/token-/.test(path)) return 'transport';
  if (path.startsWith('schema/') || path === 'context.ts') return 'schema';
  if (path.startsWith('services/')) return 'services';
  if (path.startsWith('realtime/')) return 'realtime';
  if (path.startsWith('repositories/')) return 'repositories';
  if (/^(auth|db|generated|limits|observability|redis)\//.test(path) || path === 'config.ts' || path === 'errors.ts') {
    return 'infrastructure';
  }
  throw new Error(`src/${path} is in no layer: add it to layerOf in test/architecture/layers.test.ts and to docs/architecture.md`);
}

/** What each layer may import (besides itself). Nothing imports main.ts; only main imports app.ts. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  main: ['app', 'infrastructure'],
  app: ['transport', 'schema', 'services', 'realtime', 'repositories', 'infrastructure'],
  transport: ['schema', 'services', 'realtime', 'infrastructure'],
  schema: ['services', 'infrastructure'],
  services: ['realtime', 'repositories', 'infrastructure'],
  realtime: ['infrastructure'],
  repositories: ['infrastructure'],
  infrastructure: [],
  client: [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Relative module specifiers of static imports, re-exports, side-effect and dynamic imports. */
function specifiersOf(code: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(match[1]!);
  return found.filter((specifier) => specifier.startsWith('.'));
}

interface Edge {
  from: string;
  to: string;
}

function importEdges(): Edge[] {
  return sourceFiles(SRC).flatMap((file) =>
    specifiersOf(readFileSync(file, 'utf8'))
      .map((specifier) => resolve(dirname(file), specifier))
      .filter((target) => target.startsWith(`${SRC}/`))
      .map((target) => ({ from: relative(SRC, file).replaceAll('\\', '/'), to: relative(SRC, target).replaceAll('\\', '/') })),
  );
}

function violationOf({ from, to }: Edge): string | null {
  if (to === 'main.ts') return `src/${from} imports src/main.ts: nothing may import the entry point`;
  const source = layerOf(from);
  const target = layerOf(to);
  if (source === target) return null;
  if (to === 'app.ts' && source !== 'main') return `src/${from} imports src/app.ts: only main.ts may`;
  if (MAY_IMPORT[source].includes(target)) return null;
  return `src/${from} imports src/${to}: ${source} may not import ${target}`;
}

describe('layering of src/', () => {
  it('puts every file in a layer', () => {
    for (const file of sourceFiles(SRC)) layerOf(relative(SRC, file).replaceAll('\\', '/'));
  });

  it('is drawn the same in docs/architecture.md', () => {
    const doc = readFileSync(resolve(SRC, '../docs/architecture.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| (\w+) \| [^|]+ \| ([^|]+) \|$/gm)].filter(([, layer]) => layer! in MAY_IMPORT);
    const drawn = Object.fromEntries(
      rows.map(([, layer, targets]) => [layer, targets!.trim() === '(none)' ? [] : targets!.split(',').map((t) => t.trim())]),
    );
    expect(drawn).toEqual(MAY_IMPORT);
  });

  it('has no import that goes against the direction of the layers', () => {
    const edges = importEdges();
    expect(edges.length).toBeGreaterThan(100);
    expect(edges.map(violationOf).filter((v) => v !== null)).toEqual([]);
  });
});
