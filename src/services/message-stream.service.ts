/**
 * Subscriptions: everything a stream decides. Who may watch a session (its participants and
 * service tokens), where a replay starts (`after` a message, `afterSeq`, or the seq the hub
 * returns on joining), which events each stream carries, and what ends it (token expiry;
 * participants are never removed from a session, so nothing else does yet). The real-time
 * port only moves the events.
 */
import type { Principal } from '../auth/principal.ts';
import { AppError, badInput } from '../errors.ts';
import type { MessageRepository } from '../repositories/message.repository.ts';
import type { MessageCreatedEvent, MessageRemovalEvent, MessageUpdatedEvent, SessionEvent, TypingEvent } from '../realtime/events.ts';
import type { RealtimePort } from '../realtime/port.ts';
import type { SessionStreamOptions } from '../realtime/session-stream.ts';
import type { MessageService } from './message.service.ts';
import type { SessionService } from './session.service.ts';

export type { MessageCreatedEvent, MessageRemovalEvent, MessageUpdatedEvent, TypingEvent };

/** Who opens a stream, and whether their transport already ends it when the token expires. */
export interface Watcher {
  principal: Principal;
  /** True over a WebSocket: the connection closes (4403) at expiry, so its streams need no timer of their own. */
  transportEndsOnExpiry: boolean;
}

/** Where `messageReceived` starts: after a message (by id), after a seq, or (neither) live. */
export interface ReplayStart {
  after?: string | null;
  afterSeq?: number | null;
}

export interface MessageStreamServiceDeps {
  sessions: SessionService;
  messages: MessageService;
  /** Replay reads (the session is authorized first). */
  repository: Pick<MessageRepository, 'listAfterSeq'>;
  realtime: Pick<RealtimePort, 'openSessionStream'>;
}

const REPLAY_BATCH = 200;

/** Module-level, not inline: each stream keeps its filter for its lifetime, and this one needs no closure. */
const isMessageCreated = (e: SessionEvent): e is MessageCreatedEvent => e.type === 'MESSAGE_CREATED';

export type MessageStreamService = ReturnType<typeof createMessageStreamService>;

export function createMessageStreamService({ sessions, messages, repository, realtime }: MessageStreamServiceDeps) {
  /** Authorizes the session and streams the events `accept` keeps, from now on. */
  async function live<T extends SessionEvent>(watcher: Watcher, sessionId: string, accept: SessionStreamOptions<T>['accept']) {
    await sessions.requireSession(watcher.principal, sessionId);
    const stream = await realtime.openSessionStream<T>({ sessionId, userId: watcher.principal.userId, accept, endsAt: expiryOf(watcher) });
    return stream.goLive();
  }

  /** The seq to replay after, or null for a live-only stream. */
  async function replayStart(principal: Principal, sessionId: string, start: ReplayStart): Promise<number | null> {
    if (start.after) return messages.positionOf(principal, sessionId, start.after);
    if (start.afterSeq === null || start.afterSeq === undefined) return null;
    if (start.afterSeq < 0) throw badInput('afterSeq must be 0 or more');
    return start.afterSeq;
  }

  return {
    /**
     * New messages in seq order. With a replay start, everything stored after it comes first,
     * then live messages with no gap and no duplicate; without one, the stream starts after
     * the seq the hub had delivered when the stream joined.
     */
    async messageReceived(watcher: Watcher, sessionId: string, start: ReplayStart): Promise<AsyncIterableIterator<MessageCreatedEvent>> {
      await sessions.requireSession(watcher.principal, sessionId);
      const afterSeq = await replayStart(watcher.principal, sessionId, start);
      let lastSeq = afterSeq ?? -1;
      const inOrder = (event: MessageCreatedEvent) => {
        if (event.message.seq <= lastSeq) return false;
        lastSeq = event.message.seq;
        return true;
      };
      const stream = await realtime.openSessionStream<MessageCreatedEvent>({
        sessionId,
        userId: watcher.principal.userId,
        accept: isMessageCreated,
        admit: inOrder,
        endsAt: expiryOf(watcher),
      });
      if (afterSeq === null) {
        lastSeq = stream.liveFromSeq;
        return stream.goLive();
      }
      try {
        for (;;) {
          const batch = await repository.listAfterSeq(sessionId, lastSeq, REPLAY_BATCH);
          for (const message of batch) stream.replay({ type: 'MESSAGE_CREATED', sessionId, message });
          if (batch.length < REPLAY_BATCH) break;
        }
      } catch (error) {
        stream.close();
        throw error;
      }
      return stream.goLive();
    },

    /** Messages of the session as they are edited, from now on. */
    messageUpdated: (watcher: Watcher, sessionId: string) =>
      live(watcher, sessionId, (e): e is MessageUpdatedEvent => e.type === 'MESSAGE_UPDATED'),

    /** Deletions and clears of the session, from now on. */
    messageDeleted: (watcher: Watcher, sessionId: string) =>
      live(watcher, sessionId, (e): e is MessageRemovalEvent => e.type === 'MESSAGE_DELETED' || e.type === 'CONVERSATION_CLEARED'),

    /** Typing changes of everyone but the watcher themself, from now on. */
    typing: (watcher: Watcher, sessionId: string) =>
      live(watcher, sessionId, (e): e is TypingEvent => e.type === 'TYPING' && e.userId !== watcher.principal.userId),
  };
}

/** When the stream ends by itself: at token expiry, unless the transport ends the connection then. */
export function expiryOf(watcher: Watcher): SessionStreamOptions<SessionEvent>['endsAt'] {
  const { expiresAt } = watcher.principal;
  if (watcher.transportEndsOnExpiry || expiresAt === null) return null;
  return { at: expiresAt, error: () => new AppError('UNAUTHENTICATED', 'Token expired; subscribe again with a fresh token') };
}
