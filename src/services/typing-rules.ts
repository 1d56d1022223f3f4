/**
 * When a typing change is announced: `isTyping: true` goes out at most once per
 * `throttleMs` (a renewal in between only keeps the indicator alive), and an indicator not
 * renewed within `timeoutMs` hides by itself, so a crashed client does not type forever.
 */

export interface TypingPolicy {
  /** TYPING_THROTTLE_MS: a renewed `isTyping: true` is announced at most this often (ms). */
  throttleMs: number;
  /** TYPING_TIMEOUT_MS: an `isTyping: true` not renewed within this time hides by itself (ms). */
  timeoutMs: number;
}

/** Defaults of TYPING_THROTTLE_MS and TYPING_TIMEOUT_MS. */
export const defaultTypingPolicy: TypingPolicy = { throttleMs: 1000, timeoutMs: 5000 };

/** hide: show the user as not typing; announce: publish `isTyping: true`; extend: renew silently (throttled). */
export type TypingStep = 'hide' | 'announce' | 'extend';

/** The step for a change, given when the user's typing was last announced (null: not shown). */
export function typingStep(isTyping: boolean, lastAnnouncedAt: number | null, now: number, policy: TypingPolicy): TypingStep {
  if (!isTyping) return 'hide';
  if (lastAnnouncedAt !== null && now - lastAnnouncedAt < policy.throttleMs) return 'extend';
  return 'announce';
}
