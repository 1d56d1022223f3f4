import { DateTimeResolver } from 'graphql-scalars';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar } from '../../src/schema/date-time.ts';

describe('DateTime scalar', () => {
  const inputs: unknown[] = [
    new Date('2026-12-02T01:02:03.004Z'),
    new Date(0),
    '2026-12-02T01:02:03.004+02:00',
    '2026-12-02T01:02:03Z',
    1_764_637_323_004,
    8.64e15 + 1, // out of range: an invalid Date
  ];

  it('writes the same JSON as graphql-scalars does, for every kind of value it accepts', () => {
    for (const input of inputs) {
      expect(JSON.stringify({ at: DateTimeScalar.serialize(input) }), String(input)).toBe(
        JSON.stringify({ at: DateTimeResolver.serialize(input) }),
      );
    }
  });

  it('hands the result its text, not a Date (JSON.stringify would call toJSON on each)', () => {
    expect(DateTimeScalar.serialize(new Date('2026-12-02T01:02:03.004Z'))).toBe('2026-12-02T01:02:03.004Z');
    expect(DateTimeScalar.serialize('2026-12-02T01:02:03.004+02:00')).toBe('2026-12-01T23:02:03.004Z');
  });

  it('refuses what graphql-scalars refuses, with its message', () => {
    for (const input of ['yesterday', true, {}, new Date(Number.NaN)]) {
      expect(() => DateTimeScalar.serialize(input)).toThrow(
        (() => {
          try {
            DateTimeResolver.serialize(input);
          } catch (error) {
            return (error as Error).message;
          }
          return 'no error';
        })(),
      );
    }
  });

  it('keeps the name, description and parsing of graphql-scalars', () => {
    expect(DateTimeScalar.name).toBe(DateTimeResolver.name);
    expect(DateTimeScalar.description).toBe(DateTimeResolver.description);
    expect(DateTimeScalar.parseValue('2026-12-02T01:02:03.004Z')).toEqual(DateTimeResolver.parseValue('2026-12-02T01:02:03.004Z'));
  });
});
