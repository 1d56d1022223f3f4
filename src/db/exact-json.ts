/**
 * Json column values that Prisma stores exactly as given. Prisma rebuilds a Json input key
 * by key with plain assignment, so an own `__proto__` key vanishes, and an object with a
 * `$type` key is taken for one of its tagged values (prisma/orm#21454). Through the `toJSON`
 * hook Prisma honours for any input value, it receives the text already serialized, in its
 * JSON protocol's tagged Json form, and passes that text to the database untouched.
 */
import type { Prisma } from './prisma-client.ts';

/** The value, serialized once here, for a Json column write. */
export function exactJson(value: Prisma.InputJsonValue): Prisma.InputJsonValue {
  const serialized = JSON.stringify(value);
  const tagged = { toJSON: () => ({ $type: 'Json', value: serialized }) };
  return tagged as unknown as Prisma.InputJsonValue;
}
