/**
 * Keeps credentials out of log lines: values under a sensitive key (authorization,
 * cookie, token, secret, password, connectionParams…) are replaced, and anything that
 * looks like a JWT or a bearer credential inside any string (a message, an error's
 * message or stack) is cut out. Errors become `{ name, message, stack }`.
 */

export const REDACTED = '[REDACTED]';

/** Keys whose value is a credential, whatever its shape (matched without case, `-`/`_` ignored). */
const SENSITIVE_KEY = /authorization|cookie|token|secret|password|passwd|connectionparams|apikey|credential/;
/** A JWT (three base64url parts, the first a JSON header) or the credential after "Bearer"/"Basic". */
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.?[A-Za-z0-9_-]*/g;
const SCHEME = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;
/** Deeper structures are cut off (log fields are small; this bounds a hostile or cyclic value). */
const MAX_DEPTH = 8;

/** The text with every JWT-looking string and bearer credential replaced. */
export function redactText(text: string): string {
  return text.replace(SCHEME, `$1 ${REDACTED}`).replace(JWT, REDACTED);
}

function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key.toLowerCase().replace(/[-_]/g, ''));
}

/** A copy of the log fields that is safe to write. */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  return redactObject(fields, 0);
}

function redactObject(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      isSensitiveKey(key) && inner !== null && typeof inner !== 'number' && typeof inner !== 'boolean'
        ? REDACTED
        : redactValue(inner, depth + 1);
  }
  return out;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[TRUNCATED]';
  if (value instanceof Error) {
    return redactObject({ name: value.name, message: value.message, stack: value.stack }, depth);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof Date) return value.toISOString();
  return redactObject(value as Record<string, unknown>, depth);
}
