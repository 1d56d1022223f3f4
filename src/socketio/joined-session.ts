/**
 * A socket's membership of one session: its recent messages, then the session's new messages
 * and other users' typing, through the same stream service graphql-ws and SSE subscriptions
 * use (so the same authorization, ordering, gap fill and cross-instance fan-out). The live
 * stream starts after the last recent message, so a message stored meanwhile is replayed:
 * no gap between `recentMessages` and the first `message_received`, and no duplicate.
 */
import type { ConversationMessage } from '../db/prisma-client.ts';
import type { MessageCreatedEvent, TypingEvent, Watcher } from '../services/message-stream.service.ts';
import type { Services } from '../services/index.ts';

export interface SessionListener {
  message(event: MessageCreatedEvent): void;
  typing(event: TypingEvent): void;
  /** A stream failed (fell too far behind, token expired): the membership is over. */
  failed(error: unknown): void;
}

export interface JoinedSession {
  readonly sessionId: string;
  /** The latest messages at the time of joining, oldest first. */
  readonly recentMessages: ConversationMessage[];
  /** Starts delivering live events to the listener (call once, after announcing the join). */
  start(listener: SessionListener): void;
  /** Leaves the session's streams (and its presence); idempotent. */
  close(): void;
}

/** Authorizes the session (NOT_FOUND for one the user is not in) and opens its streams. */
export async function joinSession(services: Services, watcher: Watcher, sessionId: string, recentLimit: number): Promise<JoinedSession> {
  const recentMessages = await services.messages.listRecent(watcher.principal, sessionId, recentLimit);
  const afterSeq = recentMessages.at(-1)?.seq ?? 0;
  const messages = await services.streams.messageReceived(watcher, sessionId, { afterSeq });
  let typing: AsyncIterableIterator<TypingEvent>;
  try {
    typing = await services.streams.typing(watcher, sessionId);
  } catch (error) {
    await messages.return?.();
    throw error;
  }
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    void messages.return?.();
    void typing.return?.();
  };
  return {
    sessionId,
    recentMessages,
    start(listener) {
      const fail = (error: unknown) => {
        if (closed) return;
        close();
        listener.failed(error);
      };
      pump(messages, (event) => listener.message(event)).catch(fail);
      pump(typing, (event) => listener.typing(event)).catch(fail);
    },
    close,
  };
}

async function pump<T>(events: AsyncIterableIterator<T>, deliver: (event: T) => void): Promise<void> {
  for await (const event of events) deliver(event);
}
