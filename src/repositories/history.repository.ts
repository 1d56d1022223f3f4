/**
 * Reads of a session's history by seq: the gaps the real-time layer fills in live messages,
 * and the pages of the messages connection. No authorization: callers authorized the session.
 */
import type { ConversationMessage, Prisma, PrismaClient } from '../db/prisma-client.ts';
import { createMessageRepository, type MessagePageQuery } from './message.repository.ts';
import { createSessionRepository } from './session.repository.ts';

export interface HistoryRepository {
  /** Highest seq handed out in the session (0 when none). */
  lastSeq(sessionId: string): Promise<number>;
  /** Messages with seq above `afterSeq`, oldest first, at most `limit`. */
  messagesAfter(sessionId: string, afterSeq: number, limit: number): Promise<ConversationMessage[]>;
  /**
   * One page of the session's messages in seq order, positioned by the cursor, take and skip
   * Pothos plans: no page when the cursor's message does not exist (Prisma's cursor rule).
   */
  connectionPage(sessionId: string, query: MessagePageQuery): Promise<ConversationMessage[]>;
}

export function createHistoryRepository(prisma: PrismaClient): HistoryRepository {
  const sessions = createSessionRepository(prisma);
  const messages = createMessageRepository(prisma);
  return {
    lastSeq: sessions.lastSeq,
    messagesAfter: messages.listAfterSeq,

    /**
     * One query on the (sessionId, seq) index whatever the position: a page next to a cursor
     * reads the cursor's own row too (where the page starts) and checks it is there, instead
     * of Prisma's cursor (which sends no LIMIT, prisma/orm#27094) or a second lookup of the
     * cursor's message.
     */
    async connectionPage(sessionId, { cursor, take = 0, skip = 0, ...query }) {
      const seq = cursor?.sessionId_seq?.seq;
      if (cursor === undefined) {
        return (await prisma.conversationMessage.findMany({
          ...query,
          where: { sessionId },
          orderBy: { seq: 'asc' },
          take,
          skip,
        })) as ConversationMessage[];
      }
      if (seq === undefined) {
        return (await prisma.conversationMessage.findMany({
          ...query,
          cursor,
          where: { sessionId },
          orderBy: { seq: 'asc' },
          take,
          skip,
        })) as ConversationMessage[];
      }
      const backward = take < 0;
      if (take === 0 && skip === 0) return [];
      const rows = (await prisma.conversationMessage.findMany({
        ...withSeq(query),
        where: { sessionId, seq: backward ? { lte: seq } : { gte: seq } },
        orderBy: { seq: 'asc' },
        // The page and the `skip` rows before it, counted from the cursor's row.
        take: backward ? take - skip : take + skip,
      })) as ConversationMessage[];
      const cursorRow = backward ? rows.at(-1) : rows[0];
      if (cursorRow?.seq !== seq) return [];
      return backward ? rows.slice(0, rows.length - skip) : rows.slice(skip);
    },
  };
}

/** The selection with `seq` in it (the cursor check reads it); an include already has every scalar. */
function withSeq(query: Pick<MessagePageQuery, 'select' | 'include'>): Pick<MessagePageQuery, 'select' | 'include'> {
  if (!query.select) return query;
  return { ...query, select: { ...query.select, seq: true } satisfies Prisma.ConversationMessageSelect };
}
