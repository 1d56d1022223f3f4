/** Whether a Pothos-planned query reads exactly what a repository's own `SELECT *` statement does. */

/** No select (every scalar) and no relation included: the row a raw `SELECT *` reads. */
export function selectsEveryScalarOnly(query: { select?: unknown; include?: object | null }): boolean {
  if (query.select) return false;
  if (!query.include) return true;
  for (const included of Object.values(query.include)) if (included) return false;
  return true;
}
