/**
 * Validation of streamed-reply input: chunks (index, text), finish reasons and failure
 * reasons. Every rule throws BAD_USER_INPUT with a message a producer can act on.
 */
import type { StreamingConfig } from '../config.ts';
import { badInput } from '../errors.ts';
import { codePointLength, type ReplyChunk } from '../realtime/reply-state.ts';

export interface ChunkInput {
  index: number;
  text: string;
}

/** The chunks sorted by index (a batch may list them in any order), each measured in code points. */
export function checkChunks(chunks: readonly ChunkInput[], config: StreamingConfig): ReplyChunk[] {
  if (!Array.isArray(chunks) || chunks.length === 0) throw badInput('chunks must hold at least one chunk');
  if (chunks.length > config.maxChunksPerAppend) {
    throw badInput(`An append carries at most ${config.maxChunksPerAppend} chunks; got ${chunks.length}`, {
      limit: config.maxChunksPerAppend,
    });
  }
  const measured = chunks.map((chunk) => {
    if (!Number.isSafeInteger(chunk.index) || chunk.index < 0) throw badInput('A chunk index must be an integer of 0 or more');
    if (typeof chunk.text !== 'string') throw badInput('A chunk text must be a string');
    if (!chunk.text.isWellFormed()) throw badInput(`Chunk ${chunk.index} is not valid Unicode (it contains a lone surrogate)`);
    if (chunk.text.includes('\u0000')) throw badInput(`Chunk ${chunk.index} contains a NUL character, which cannot be stored`);
    return { index: chunk.index, text: chunk.text, length: codePointLength(chunk.text) };
  });
  measured.sort((a, b) => a.index - b.index);
  for (let i = 1; i < measured.length; i++) {
    if (measured[i]!.index === measured[i - 1]!.index && measured[i]!.text !== measured[i - 1]!.text) {
      throw badInput(`Chunk index ${measured[i]!.index} appears twice with different text`);
    }
  }
  return measured;
}

const REASON = /^[\x21-\x7e]{1,64}$/;

/** A finishReason such as `stop` or `length`: 1 to 64 printable ASCII characters, or none. */
export function checkFinishReason(reason: string | null | undefined): string | null {
  if (reason === null || reason === undefined) return null;
  if (!REASON.test(reason)) throw badInput('finishReason must be 1 to 64 printable ASCII characters without spaces');
  return reason;
}

const MAX_FAILURE_LENGTH = 500;

/** Why a producer failed its reply: free text up to 500 characters. */
export function checkFailureReason(reason: string): string {
  if (typeof reason !== 'string' || reason.trim().length === 0) throw badInput('reason must not be empty');
  if (!reason.isWellFormed() || reason.includes('\u0000')) throw badInput('reason must be valid Unicode without NUL');
  if (codePointLength(reason) > MAX_FAILURE_LENGTH) throw badInput(`reason is longer than ${MAX_FAILURE_LENGTH} characters`);
  return reason;
}
