/** Typing indicators: who may type where, and how often (the indicator itself lives in the real-time layer). */
import type { Principal } from '../auth/principal.ts';
import { rateLimited } from '../errors.ts';
import { retryAfterSeconds, type RateLimiter } from '../limits/rate-limiter.ts';
import type { SessionService } from './session.service.ts';

/** Shows or hides a user's typing state; returns false when the change was throttled. */
export interface TypingIndicator {
  set(sessionId: string, userId: string, isTyping: boolean): boolean;
}

export interface TypingServiceDeps {
  sessions: SessionService;
  /** Typing events per user (TYPING_EVENTS_PER_10S); stopping is never limited. */
  typingRate: RateLimiter;
  /** Resolved lazily: the real-time layer is built after the services. */
  indicator: () => TypingIndicator;
}

export type TypingService = ReturnType<typeof createTypingService>;

export function createTypingService({ sessions, typingRate, indicator }: TypingServiceDeps) {
  return {
    async setTyping(principal: Principal, sessionId: string, isTyping: boolean): Promise<boolean> {
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
      return indicator().set(sessionId, principal.userId, isTyping);
    },
  };
}
