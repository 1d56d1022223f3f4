/** What a Pothos-planned Prisma selection asks for, for repositories that can answer some selections without Prisma. */

/**
 * True when the selection is every scalar of the model and no relation: no `select`, and an
 * `include` that is absent or turns nothing on (what Pothos plans when only fields are asked).
 */
export function scalarsOnly({ select, include }: { select?: unknown; include?: unknown }): boolean {
  if (select) return false;
  if (!include) return true;
  for (const value of Object.values(include)) if (value) return false;
  return true;
}
