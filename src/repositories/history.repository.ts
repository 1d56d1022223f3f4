/**
 * The reads the real-time layer makes to fill gaps in a session's live messages. No
 * authorization: whoever joined the session's channel was authorized by the stream service.
 */
import type { ConversationMessage, PrismaClient } from '../db/prisma-client.ts';
import { createMessageRepository } from './message.repository.ts';
import { createSessionRepository } from './session.repository.ts';

export interface HistoryRepository {
  /** Highest seq handed out in the session (0 when none). */
  lastSeq(sessionId: string): Promise<number>;
  /** Messages with seq above `afterSeq`, oldest first, at most `limit`. */
  messagesAfter(sessionId: string, afterSeq: number, limit: number): Promise<ConversationMessage[]>;
}

export function createHistoryRepository(prisma: PrismaClient): HistoryRepository {
  const sessions = createSessionRepository(prisma);
  const messages = createMessageRepository(prisma);
  return { lastSeq: sessions.lastSeq, messagesAfter: messages.listAfterSeq };
}
