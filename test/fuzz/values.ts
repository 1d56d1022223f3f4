/** Generated strings and JSON values: multi-byte text at the lengths edges care about, wrong types, invalid UTF-8. */
import type { Prng } from './prng.ts';

/** One character per UTF-8 width (1–4 bytes), plus characters that break naive escaping. */
const CHARS = ['a', 'é', '一', '😀', '\u0000', '\n', '"', '\\', '\ud800', '\u202e', '%', '\u00ff'];
/**
 * Repetition counts around the limits: a close reason holds 123 bytes (41 three-byte
 * characters, 30 four-byte ones), an id or type echoed into a reason overflows it.
 */
const LENGTHS = [0, 1, 2, 20, 30, 31, 40, 41, 42, 60, 61, 62, 63, 64, 100, 120, 123, 124, 125, 126, 200, 1000, 5000, 70_000];

/** A string of one repeated character at a boundary length, sometimes with an ASCII prefix. */
export function edgeString(prng: Prng): string {
  const char = prng.pick(CHARS);
  const count = prng.weighted([
    [8, prng.pick(LENGTHS.slice(0, 20))],
    [1, prng.pick(LENGTHS.slice(20))],
  ]);
  const body = char.repeat(count);
  return prng.chance(0.3) ? `a${body}` : body;
}

/** A short string, mostly printable, sometimes multi-byte. */
export function shortString(prng: Prng): string {
  let out = '';
  const length = prng.int(0, 12);
  for (let i = 0; i < length; i++) out += prng.chance(0.7) ? String.fromCharCode(prng.int(0x61, 0x7a)) : prng.pick(CHARS);
  return out;
}

/** Bytes that are not valid UTF-8 (overlong, surrogates, truncated sequences, stray continuation bytes). */
export function invalidUtf8(prng: Prng): Buffer {
  const bad = prng.pick([
    [0xff],
    [0xc0, 0x80],
    [0xed, 0xa0, 0x80],
    [0xe4, 0xb8],
    [0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0xf4, 0x90, 0x80, 0x80],
  ]);
  return Buffer.concat([Buffer.from(shortString(prng)), Buffer.from(bad), Buffer.from(shortString(prng))]);
}

/** Any JSON value, biased to the wrong type for whatever field receives it. */
export function jsonValue(prng: Prng, depth = 0): unknown {
  const kind = prng.int(0, depth > 2 ? 6 : 9);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return prng.chance(0.5);
    case 2:
      return prng.pick([0, -1, 1.5, 2 ** 53 + 1, 1e308, -0, 4294967296]);
    case 3:
    case 4:
      return edgeString(prng);
    case 5:
      return shortString(prng);
    case 6:
      return '';
    case 7:
      return Array.from({ length: prng.int(0, 3) }, () => jsonValue(prng, depth + 1));
    case 8:
      return Object.fromEntries(
        Array.from({ length: prng.int(0, 3) }, () => [
          prng.pick(['__proto__', 'constructor', 'query', shortString(prng)]),
          jsonValue(prng, depth + 1),
        ]),
      );
    default:
      return deepNest(prng.pick([10, 100, 1000]));
  }
}

/** `[[[…]]]` nested `depth` levels. */
export function deepNest(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** JSON text, or (sometimes) text that is almost JSON. */
export function jsonText(prng: Prng, value: unknown): Buffer {
  const text = JSON.stringify(value) ?? 'null';
  return prng.weighted<() => Buffer>([
    [10, () => Buffer.from(text)],
    [1, () => Buffer.from(text.slice(0, prng.int(0, text.length)))],
    [1, () => Buffer.from(`${text},`)],
    [1, () => Buffer.concat([Buffer.from(text.slice(0, text.length >> 1)), invalidUtf8(prng), Buffer.from(text.slice(text.length >> 1))])],
    [1, () => Buffer.from(`\ufeff${text}`)],
  ])();
}
