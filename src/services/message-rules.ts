/**
 * Validation of message input: content, metadata, client message ids and paging.
 * Every rule throws BAD_USER_INPUT with a message a client developer can act on.
 */
import type { LimitsConfig } from '../config.ts';
import { badInput } from '../errors.ts';

/** Length in Unicode code points, so an emoji counts as one character. */
export function characterLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function checkContent(content: string, limits: LimitsConfig): string {
  if (typeof content !== 'string') throw badInput('content must be a string');
  if (!content.isWellFormed()) throw badInput('content is not valid Unicode (it contains a lone surrogate)');
  if (content.includes('\u0000')) throw badInput('content must not contain NUL characters');
  if (content.trim().length === 0) throw badInput('content must not be empty or only whitespace');
  const length = characterLength(content);
  if (length > limits.maxMessageLength) {
    throw badInput(`content is ${length} characters long; the limit is ${limits.maxMessageLength}`, {
      limit: limits.maxMessageLength,
    });
  }
  return content;
}

/**
 * Metadata is a JSON object (or null to clear it), bounded in size and depth, kept exactly:
 * any key is allowed (`__proto__` and `constructor` too), but every key and string must be
 * valid Unicode without NUL and every number finite, since neither database could store
 * anything else as it was sent.
 */
export function checkMetadata(metadata: unknown, limits: LimitsConfig): Record<string, unknown> | null {
  if (metadata === null || metadata === undefined) return null;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw badInput('metadata must be a JSON object');
  if (depthOf(metadata, limits.maxMetadataDepth + 1) > limits.maxMetadataDepth) {
    throw badInput(`metadata is nested deeper than ${limits.maxMetadataDepth} levels`, { limit: limits.maxMetadataDepth });
  }
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes > limits.maxMetadataBytes) {
    throw badInput(`metadata is ${bytes} bytes as JSON; the limit is ${limits.maxMetadataBytes}`, {
      limit: limits.maxMetadataBytes,
    });
  }
  const problem = unstorablePart(metadata);
  if (problem) throw badInput(problem);
  return metadata as Record<string, unknown>;
}

/** Depth of nested objects/arrays, counting stops once `cap` is reached. */
function depthOf(value: unknown, cap: number, depth = 0): number {
  if (value === null || typeof value !== 'object' || depth >= cap) return depth;
  let deepest = depth + 1;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(child, cap, depth + 1));
    if (deepest >= cap) break;
  }
  return deepest;
}

/** Describes the first key or value that could not be stored exactly (depth is already bounded). */
function unstorablePart(value: unknown): string | null {
  if (typeof value === 'string') return textProblem(value, 'metadata holds a string that');
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'metadata holds a number that is not finite';
  if (value === null || typeof value !== 'object') return null;
  for (const [key, child] of Object.entries(value)) {
    const keyProblem = textProblem(key, 'metadata has a key that');
    if (keyProblem) return keyProblem;
    const childProblem = unstorablePart(child);
    if (childProblem) return childProblem;
  }
  return null;
}

function textProblem(text: string, subject: string): string | null {
  if (!text.isWellFormed()) return `${subject} is not valid Unicode (it contains a lone surrogate)`;
  if (text.includes('\u0000')) return `${subject} contains a NUL character (U+0000), which cannot be stored`;
  return null;
}

export function checkClientMessageId(id: string | null | undefined): string | null {
  if (id === null || id === undefined) return null;
  if (!/^[\x21-\x7e]{1,128}$/.test(id)) {
    throw badInput('clientMessageId must be 1 to 128 printable ASCII characters without spaces');
  }
  return id;
}

/** Paging arguments: 1 ≤ limit ≤ maxPageSize, 0 ≤ offset. */
export function checkPage(limit: number, offset: number, limits: LimitsConfig): { limit: number; offset: number } {
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.maxPageSize) {
    throw badInput(`limit must be an integer from 1 to ${limits.maxPageSize}`, { max: limits.maxPageSize });
  }
  if (!Number.isInteger(offset) || offset < 0) throw badInput('offset must be an integer of 0 or more');
  return { limit, offset };
}

/** The refusal of a message (sent or a started reply) to a session that holds `limit` already. */
export function sessionFull(limit: number) {
  return badInput(`This session already holds ${limit} messages, the most it may hold; delete or clear messages to send more`, {
    limit,
    reason: 'SESSION_FULL',
  });
}
