import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema, schemaPath } from '../../scripts/print-schema.ts';

describe('schema.graphql', () => {
  it('matches the Pothos schema (run `npm run schema:print` after changing the schema)', () => {
    expect(readFileSync(schemaPath, 'utf8')).toBe(printedSchema());
  });
});
