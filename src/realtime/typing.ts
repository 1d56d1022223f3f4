/**
 * Typing indicators as the real-time layer keeps them: who is shown typing, the timer that
 * hides them, and the events that fan out. When to announce and for how long (throttle,
 * expiry) is decided by the typing service (services/typing-rules.ts).
 */
import type { TypingEvent } from './events.ts';

interface Shown {
  announcedAt: number;
  expiry: NodeJS.Timeout;
}

export class TypingIndicators {
  private readonly shown = new Map<string, Shown>();

  constructor(private readonly publish: (event: TypingEvent) => void) {}

  /** When the user's typing was last announced in the session (ms epoch), or null when not shown. */
  lastAnnouncedAt(sessionId: string, userId: string): number | null {
    return this.shown.get(keyOf(sessionId, userId))?.announcedAt ?? null;
  }

  /** Publishes `isTyping: true` and shows the user until `forMs` passes without renewal. */
  announce(sessionId: string, userId: string, forMs: number): void {
    const key = keyOf(sessionId, userId);
    const current = this.shown.get(key);
    if (current) clearTimeout(current.expiry);
    this.shown.set(key, { announcedAt: Date.now(), expiry: this.expiryTimer(key, sessionId, userId, forMs) });
    this.publish({ type: 'TYPING', sessionId, userId, isTyping: true });
  }

  /** Keeps a shown user shown for `forMs` more, without announcing again. */
  extend(sessionId: string, userId: string, forMs: number): void {
    const key = keyOf(sessionId, userId);
    const current = this.shown.get(key);
    if (!current) return;
    clearTimeout(current.expiry);
    current.expiry = this.expiryTimer(key, sessionId, userId, forMs);
  }

  /** Publishes `isTyping: false` if the user was shown; returns whether they were. */
  hide(sessionId: string, userId: string): boolean {
    const key = keyOf(sessionId, userId);
    const current = this.shown.get(key);
    if (!current) return false;
    this.stop(key, current, sessionId, userId);
    return true;
  }

  /** Whether the user is currently shown as typing in the session. */
  isTyping(sessionId: string, userId: string): boolean {
    return this.shown.has(keyOf(sessionId, userId));
  }

  /** Number of users currently typing anywhere (for leak checks). */
  get size(): number {
    return this.shown.size;
  }

  /** Stops every timer without publishing (shutdown). */
  close(): void {
    for (const state of this.shown.values()) clearTimeout(state.expiry);
    this.shown.clear();
  }

  private expiryTimer(key: string, sessionId: string, userId: string, forMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const state = this.shown.get(key);
      if (state) this.stop(key, state, sessionId, userId);
    }, forMs);
    timer.unref();
    return timer;
  }

  private stop(key: string, state: Shown, sessionId: string, userId: string): void {
    clearTimeout(state.expiry);
    this.shown.delete(key);
    this.publish({ type: 'TYPING', sessionId, userId, isTyping: false });
  }
}

const keyOf = (sessionId: string, userId: string) => `${sessionId}\u0000${userId}`;
