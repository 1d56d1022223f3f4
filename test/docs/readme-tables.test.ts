/**
 * The README documents what the code decides: every environment variable config.ts reads,
 * the one error table (code, HTTP status, WebSocket close code) and every close code the
 * server sends. A change to one without the other fails here.
 */
import { readFileSync } from 'node:fs';
import { CloseCode } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { errorTable } from '../../src/errors.ts';
import { ServerCloseCode } from '../../src/ws/close-codes.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const configSource = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');

/** The rows of the first table after `heading`, as arrays of trimmed cells. */
function tableAfter(heading: string): string[][] {
  const start = readme.indexOf(heading);
  expect(start, `README has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
  }
  return rows.slice(2);
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

describe('README tables', () => {
  it('lists every environment variable that src/config.ts reads in the Configuration table', () => {
    const documented = new Set(tableAfter('## Configuration').map((row) => unquote(row[0] ?? '')));
    const read = new Set([...configSource.matchAll(/'([A-Z][A-Z0-9_]{3,})'/g)].map((match) => match[1]!));
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('has the error table of src/errors.ts, row for row', () => {
    const rows = tableAfter('### Errors').map(([code, http, close]) => [unquote(code ?? ''), Number(http), Number(close)]);
    const table = Object.entries(errorTable).map(([code, row]) => [code, row.httpStatus, row.closeCode]);
    expect(rows).toEqual(table);
  });

  it('documents every close code the server sends', () => {
    const documented = new Set(tableAfter('### Close codes').map((row) => Number(row[0])));
    const sent = new Set<number>([
      ...Object.values(ServerCloseCode),
      ...Object.values(errorTable).map((row) => row.closeCode),
      CloseCode.Unauthorized,
      CloseCode.SubprotocolNotAcceptable,
      CloseCode.ConnectionInitialisationTimeout,
      CloseCode.SubscriberAlreadyExists,
    ]);
    expect([...sent].filter((code) => !documented.has(code)).sort()).toEqual([]);
  });
});
