/**
 * Every database call for messages. Sends, deletes and clears keep the session's counters in
 * step. The send's write is the one raw statement (message-insert.ts): the hot path.
 */
import { exactJson } from '../db/exact-json.ts';
import { Prisma, rawDriverFor, type ConversationMessage, type MessageRole, type PrismaClient } from '../db/prisma-client.ts';
import { createInsertMessage, type InsertMessage, type MessageRow } from './message-insert.ts';

export { DuplicateClientMessageId } from './message-insert.ts';

export type MessageQuery = Pick<Prisma.ConversationMessageFindManyArgs, 'include' | 'select'>;
/** What Pothos plans for one page of a cursor connection: the selection plus take, skip and cursor. */
export type MessagePageQuery = Pick<Prisma.ConversationMessageFindManyArgs, 'include' | 'select' | 'take' | 'skip' | 'cursor'>;

export interface NewMessage {
  id: string;
  sessionId: string;
  role: MessageRole;
  content: string;
  metadata: Prisma.InputJsonValue | null;
  authorId: string;
  clientMessageId: string | null;
  timestamp: Date;
}

export interface MessageChanges {
  content?: string;
  /** null clears the metadata. */
  metadata?: Prisma.InputJsonValue | null;
  editedAt: Date;
}

export type MessageRepository = ReturnType<typeof createMessageRepository>;

/** Prisma writes SQL NULL into a nullable JSON column only when given DbNull. */
export const jsonOrNull = (value: Prisma.InputJsonValue | null) => (value === null ? Prisma.DbNull : exactJson(value));

/** Prisma's "record to update/delete does not exist". */
export const isRecordNotFound = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';

/** Rolls back a delete whose message another request removed first. */
class AlreadyGone extends Error {}

export function createMessageRepository(prisma: PrismaClient) {
  // Prepared on the first send (the client connects its adapter lazily).
  let insertMessage: InsertMessage | undefined;

  return {
    /**
     * Stores a message with the session's next sequence number, bumps the session's
     * activity and count, all in one transaction. Returns null (and stores nothing)
     * when the session already holds `maxMessages` messages (or is gone); throws
     * DuplicateClientMessageId when another message of the session has its clientMessageId.
     * `STREAMING` opens a streamed reply (reply-stream.repository.ts) with the same write.
     */
    async insert(message: NewMessage, maxMessages: number, status: MessageRow['status'] = 'COMPLETE'): Promise<ConversationMessage | null> {
      insertMessage ??= await createInsertMessage(await rawDriverFor(prisma));
      const { metadata, ...columns } = message;
      // Serialized once, stored as this text (the same bytes exactJson hands Prisma).
      const metadataJson = metadata === null ? null : JSON.stringify(metadata);
      return insertMessage({ ...columns, metadataJson, status }, maxMessages);
    },

    async findById(id: string): Promise<ConversationMessage | null> {
      return prisma.conversationMessage.findUnique({ where: { id } });
    },

    async findByClientMessageId(sessionId: string, clientMessageId: string): Promise<ConversationMessage | null> {
      return prisma.conversationMessage.findUnique({
        where: { sessionId_clientMessageId: { sessionId, clientMessageId } },
      });
    },

    /** Oldest first, `offset` messages skipped. */
    async listPage(sessionId: string, limit: number, offset: number, query: MessageQuery = {}): Promise<ConversationMessage[]> {
      return (await prisma.conversationMessage.findMany({
        ...query,
        where: { sessionId },
        orderBy: { seq: 'asc' },
        skip: offset,
        take: limit,
      })) as ConversationMessage[];
    },

    /**
     * One page of the session's messages in seq order, positioned by the query's cursor, take and
     * skip. Given a `cursor`, Prisma sends no LIMIT: it reads every message up to the cursor and
     * slices the page in memory (prisma/orm#27094). So the cursor becomes a seq bound, with the
     * same rule Prisma's cursor has: no page when the cursor's message does not exist.
     */
    async listConnectionPage(sessionId: string, { cursor, ...query }: MessagePageQuery): Promise<ConversationMessage[]> {
      const seq = cursor?.sessionId_seq?.seq;
      if (cursor && seq === undefined) {
        return (await prisma.conversationMessage.findMany({
          ...query,
          cursor,
          where: { sessionId },
          orderBy: { seq: 'asc' },
        })) as ConversationMessage[];
      }
      const where: Prisma.ConversationMessageWhereInput =
        seq === undefined
          ? { sessionId }
          : { sessionId, seq: (query.take ?? 0) < 0 ? { lte: seq } : { gte: seq }, session: { messages: { some: { seq } } } };
      return (await prisma.conversationMessage.findMany({ ...query, where, orderBy: { seq: 'asc' } })) as ConversationMessage[];
    },

    /** The last `limit` messages, returned oldest first. */
    async listRecent(sessionId: string, limit: number, query: MessageQuery = {}): Promise<ConversationMessage[]> {
      const newestFirst = (await prisma.conversationMessage.findMany({
        ...query,
        where: { sessionId },
        orderBy: { seq: 'desc' },
        take: limit,
      })) as ConversationMessage[];
      return newestFirst.reverse();
    },

    /** Messages with seq greater than `afterSeq`, oldest first (catch-up after a reconnect). */
    async listAfterSeq(sessionId: string, afterSeq: number, limit: number): Promise<ConversationMessage[]> {
      return prisma.conversationMessage.findMany({
        where: { sessionId, seq: { gt: afterSeq } },
        orderBy: { seq: 'asc' },
        take: limit,
      });
    },

    async count(sessionId: string): Promise<number> {
      return prisma.conversationMessage.count({ where: { sessionId } });
    },

    /** Applies the changes; returns null when the message is gone (deleted or cleared meanwhile). */
    async update(id: string, changes: MessageChanges): Promise<ConversationMessage | null> {
      const { metadata, ...rest } = changes;
      try {
        return await prisma.conversationMessage.update({
          where: { id },
          data: { ...rest, ...(metadata === undefined ? {} : { metadata: jsonOrNull(metadata) }) },
        });
      } catch (error) {
        if (isRecordNotFound(error)) return null;
        throw error;
      }
    },

    /**
     * Deletes one message; returns false when it was already gone. Like insert and clear,
     * it writes the session row first: on PostgreSQL that row lock orders every change to a
     * session's messages (no deadlock with a clear, no lost count); on SQLite the first
     * statement being a write takes the database's write lock at once.
     */
    async delete(message: Pick<ConversationMessage, 'id' | 'sessionId'>): Promise<boolean> {
      try {
        return await prisma.$transaction(async (tx) => {
          await tx.chatSession.update({ where: { id: message.sessionId }, data: { messageCount: { decrement: 1 } } });
          const deleted = await tx.conversationMessage.deleteMany({ where: { id: message.id } });
          if (deleted.count === 0) throw new AlreadyGone();
          return true;
        });
      } catch (error) {
        if (error instanceof AlreadyGone || isRecordNotFound(error)) return false;
        throw error;
      }
    },

    /**
     * Deletes every message of the session; returns how many there were. The counter is
     * reset first, which locks the session row (PostgreSQL): sends in flight finish before
     * the delete reads the rows, and later sends wait for this transaction, so the counter
     * always equals the rows. lastSeq is left alone: a seq is never handed out again.
     */
    async clear(sessionId: string): Promise<number> {
      return prisma.$transaction(async (tx) => {
        await tx.chatSession.update({ where: { id: sessionId }, data: { messageCount: 0 } });
        const deleted = await tx.conversationMessage.deleteMany({ where: { sessionId } });
        return deleted.count;
      });
    },
  };
}
