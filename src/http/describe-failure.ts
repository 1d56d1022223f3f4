/** An unexpected failure as a log field: name, message and stack, for operators only. */
export function describeFailure(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}
