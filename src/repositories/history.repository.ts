/**
 * Reads of a session's history by seq: the gaps the real-time layer fills in live messages,
 * and the pages of the messages connection. No authorization: callers authorized the session.
 */
import { queryListenerFor, rawDriverFor, type ConversationMessage, type Prisma, type PrismaClient } from '../db/prisma-client.ts';
import { createReadPage, type PageRead, type ReadPage } from './history-page-read.ts';
import { createMessageRepository, type MessagePageQuery } from './message.repository.ts';
import { createSessionRepository } from './session.repository.ts';
import { selectsEveryScalarOnly } from './scalar-selection.ts';

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
  let rawRead: Promise<ReadPage> | undefined;

  /**
   * The page's rows through the prepared statement when the selection is every scalar and no
   * relation (what a page of plain message fields asks for); through Prisma otherwise, so a
   * selected relation is still loaded with the page (no query per message).
   */
  const read = (sessionId: string, query: Pick<MessagePageQuery, 'select' | 'include'>, page: PageRead) => {
    if (page.limit <= 0) return Promise.resolve([]);
    if (selectsEveryScalarOnly(query)) {
      rawRead ??= rawDriverFor(prisma).then((driver) => createReadPage(driver, queryListenerFor(prisma)));
      return rawRead.then((readPage) => readPage(sessionId, page));
    }
    const { backward, from, limit, offset } = page;
    return prisma.conversationMessage.findMany({
      ...query,
      where: from === undefined ? { sessionId } : { sessionId, seq: backward ? { lte: from } : { gte: from } },
      orderBy: { seq: 'asc' },
      take: backward ? -limit : limit,
      skip: offset,
    }) as Promise<ConversationMessage[]>;
  };

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
      const backward = take < 0;
      if (cursor === undefined) return read(sessionId, query, { backward, from: undefined, limit: Math.abs(take), offset: skip });
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
      if (take === 0 && skip === 0) return [];
      // The page and the `skip` rows before it, counted from the cursor's row.
      const rows = await read(sessionId, withSeq(query), { backward, from: seq, limit: Math.abs(take) + skip, offset: 0 });
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
