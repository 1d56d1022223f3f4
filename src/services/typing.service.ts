/** Typing indicators: who may type where, how often, and when a change is announced (see typing-rules.ts). */
import type { Principal } from '../auth/principal.ts';
import { rateLimited } from '../errors.ts';
import { retryAfterSeconds, type RateLimiter } from '../limits/rate-limiter.ts';
import type { RealtimePort } from '../realtime/port.ts';
import type { SessionService } from './session.service.ts';
import { typingStep, type TypingPolicy } from './typing-rules.ts';

export interface TypingServiceDeps {
  sessions: SessionService;
  /** Typing events per user (TYPING_EVENTS_PER_10S); stopping is never limited. */
  typingRate: RateLimiter;
  /** Throttle and expiry of announcements. */
  policy: TypingPolicy;
  /** The indicators and their timers (the real-time layer). */
  indicators: RealtimePort['typing'];
}

export type TypingService = ReturnType<typeof createTypingService>;

export function createTypingService({ sessions, typingRate, policy, indicators }: TypingServiceDeps) {
  // One user's calls in one session apply in the order they arrived: a `false` sent right
  // after a `true` must not overtake it while the `true` waits for its rate-limit decision
  // (the user would stay shown as typing). Keyed by session and user; gone once idle.
  const pending = new Map<string, Promise<unknown>>();
  function inArrivalOrder<T>(key: string, work: () => Promise<T>): Promise<T> {
    const run = (pending.get(key) ?? Promise.resolve()).then(work, work);
    const tail = run.then(
      () => {},
      () => {},
    );
    pending.set(key, tail);
    void tail.then(() => {
      if (pending.get(key) === tail) pending.delete(key);
    });
    return run;
  }

  return {
    /** Shows or hides the caller's typing; returns false when nothing was announced (throttled, or already hidden). */
    setTyping(principal: Principal, sessionId: string, isTyping: boolean): Promise<boolean> {
      return inArrivalOrder(`${sessionId}\u0000${principal.userId}`, () => applyTyping(principal, sessionId, isTyping));
    },
  };

  async function applyTyping(principal: Principal, sessionId: string, isTyping: boolean): Promise<boolean> {
    await sessions.requireParticipation(principal, sessionId);
    if (isTyping) {
      const decision = await typingRate.consume(principal.userId);
      if (!decision.allowed) {
        const retryAfter = retryAfterSeconds(decision);
        throw rateLimited(`Too many typing events: at most ${typingRate.limit} per 10 s; retry in ${retryAfter} s`, {
          retryAfterSeconds: retryAfter,
          limit: typingRate.limit,
        });
      }
    }
    const { userId } = principal;
    const step = typingStep(isTyping, indicators.lastAnnouncedAt(sessionId, userId), Date.now(), policy);
    if (step === 'hide') return indicators.hide(sessionId, userId);
    if (step === 'extend') {
      indicators.extend(sessionId, userId, policy.timeoutMs);
      return false;
    }
    indicators.announce(sessionId, userId, policy.timeoutMs);
    return true;
  }
}
