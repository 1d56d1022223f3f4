/**
 * What the services get from the real-time layer, injected like a repository: a publisher,
 * a way to open a session stream, typing indicators and presence. The services never see
 * the hub, the pubsub or Redis.
 */
import type { ChatEvent, SessionEvent } from './events.ts';
import type { SessionStream, SessionStreamOptions } from './session-stream.ts';
import type { TypingIndicators } from './typing.ts';

export interface RealtimePort {
  /** Announces a change after it is stored. Never throws: a failed publish never fails the write. */
  publish(event: ChatEvent): void;
  /** Joins the session's live events (resolves once live); the caller has authorized the session. */
  openSessionStream<T extends SessionEvent>(options: SessionStreamOptions<T>): Promise<SessionStream<T>>;
  /** Who is shown typing where, with the timers that hide them. */
  typing: Pick<TypingIndicators, 'lastAnnouncedAt' | 'announce' | 'extend' | 'hide'>;
  /** Users with an open stream to the session (on any instance when Redis is configured), sorted. */
  connectedUsers(sessionId: string): Promise<string[]>;
}

/** A port that announces nothing and streams nothing (services built without a real-time layer, in tests). */
export const offlineRealtime: RealtimePort = {
  publish: () => {},
  openSessionStream: () => Promise.reject(new Error('This process has no real-time layer')),
  typing: { lastAnnouncedAt: () => null, announce: () => {}, extend: () => {}, hide: () => false },
  connectedUsers: async () => [],
};
