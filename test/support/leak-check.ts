/**
 * Asserts that a response body tells a client nothing about the server's insides: no stack
 * frame, no file path, no node_modules, no SQL or database driver text.
 */
import { expect } from 'vitest';

const leaks: [string, RegExp][] = [
  ['a stack frame', /\bat [^\s()]+ \(|\bat (?:file:\/\/|\/|node:)|\n\s+at /],
  ['an absolute file path', /(?:^|[\s"'(=:])\/(?:work|home|usr|tmp|var|opt|srv|app|root)\/[^\s"']+/],
  ['a file URL', /file:\/\//],
  ['node_modules', /node_modules/],
  ['a source file reference', /\.(?:ts|js|mjs|cjs):\d+/],
  ['SQL text', /\b(?:SELECT|INSERT INTO|UPDATE \S+ SET|DELETE FROM)\b/],
  ['database driver text', /prisma|PrismaClient|SQLITE_|\bpg\b|postgres|invalid byte sequence|violates .* constraint|better-sqlite3/i],
  ['a Node error name', /\b(?:TypeError|ReferenceError|RangeError|SyntaxError): /],
];

/** Fails with the name of the first leak found in `body` (a string, or anything JSON-serializable). */
export function expectNoInternals(body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  for (const [what, pattern] of leaks) {
    expect(pattern.test(text), `response body carries ${what}: ${text.slice(0, 300)}`).toBe(false);
  }
}
