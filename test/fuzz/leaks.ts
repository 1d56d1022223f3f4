/** What must never reach a client: stack frames, file paths, driver and runtime error text. */
const LEAKS: readonly [string, RegExp][] = [
  ['stack frame', /\n\s*at [^\n]*[(\s](?:file:|node:|\/)[^\n]*:\d+(?::\d+)?\)?/],
  ['stack frame', /\bat (?:async )?[\w$.<>[\]]+ \([^)]*:\d+:\d+\)/],
  ['file path', /(?:^|[\s"'(=])\/(?:work|home|tmp|usr|root|app|var|opt)\/[\w./-]+/],
  ['file path', /node_modules|file:\/\/\/|\bsrc\/[\w/.-]+\.(?:ts|js)\b|\.(?:ts|js|mjs|cjs):\d+/],
  ['driver text', /prisma|sqlite|postgres|SQLSTATE|better-sqlite3|ioredis|ECONNREFUSED|ECONNRESET|EPIPE|\bP[1-6]\d{3}\b/i],
  [
    'runtime error',
    /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|InternalError|AggregateError)\b|Cannot read propert|is not a function|Invalid URL|ERR_[A-Z_]{4,}/,
  ],
];

/** The first leak found in `text`, as `kind: excerpt`, or undefined. */
export function findLeak(text: string): string | undefined {
  for (const [kind, pattern] of LEAKS) {
    const match = pattern.exec(text);
    if (match) return `${kind}: ${JSON.stringify(text.slice(Math.max(0, match.index - 60), match.index + 120))}`;
  }
  return undefined;
}
