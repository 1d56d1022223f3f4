/**
 * Typing indicators: ephemeral (never stored), throttled per user and session, and an
 * `isTyping: true` that is not renewed expires by itself so a crashed client does not
 * type forever.
 */
import type { SessionEvent } from './events.ts';

export interface TypingOptions {
  /** A renewed `isTyping: true` is forwarded at most this often (ms). */
  throttleMs: number;
  /** An `isTyping: true` not renewed within this time becomes false (ms). */
  timeoutMs: number;
}

interface TypingState {
  lastForwardedAt: number;
  expiry: NodeJS.Timeout;
}

export class TypingTracker {
  private readonly typing = new Map<string, TypingState>();

  constructor(
    private readonly publish: (event: SessionEvent) => void,
    private readonly options: TypingOptions,
  ) {}

  /** Records the user's state; returns whether an event went out (false when throttled). */
  set(sessionId: string, userId: string, isTyping: boolean): boolean {
    const key = `${sessionId}\u0000${userId}`;
    const current = this.typing.get(key);
    if (!isTyping) {
      if (!current) return false;
      this.stop(key, current, sessionId, userId);
      return true;
    }
    const now = Date.now();
    if (current) {
      clearTimeout(current.expiry);
      current.expiry = this.expiryTimer(key, sessionId, userId);
      if (now - current.lastForwardedAt < this.options.throttleMs) return false;
      current.lastForwardedAt = now;
    } else {
      this.typing.set(key, { lastForwardedAt: now, expiry: this.expiryTimer(key, sessionId, userId) });
    }
    this.publish({ type: 'TYPING', sessionId, userId, isTyping: true });
    return true;
  }

  /** Whether the user is currently shown as typing in the session. */
  isTyping(sessionId: string, userId: string): boolean {
    return this.typing.has(`${sessionId}\u0000${userId}`);
  }

  /** Number of users currently typing anywhere (for leak checks). */
  get size(): number {
    return this.typing.size;
  }

  /** Stops every timer without publishing (shutdown). */
  close(): void {
    for (const state of this.typing.values()) clearTimeout(state.expiry);
    this.typing.clear();
  }

  private expiryTimer(key: string, sessionId: string, userId: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const state = this.typing.get(key);
      if (state) this.stop(key, state, sessionId, userId);
    }, this.options.timeoutMs);
    timer.unref();
    return timer;
  }

  private stop(key: string, state: TypingState, sessionId: string, userId: string): void {
    clearTimeout(state.expiry);
    this.typing.delete(key);
    this.publish({ type: 'TYPING', sessionId, userId, isTyping: false });
  }
}
