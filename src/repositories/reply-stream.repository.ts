/**
 * Every Prisma call for streamed replies: opening one at its seq, the coalesced text flushes
 * (monotonic: a flush never replaces text with less), the one final write, and the sweep for
 * replies left STREAMING.
 */
import type { Prisma, ConversationMessage, PrismaClient } from '../db/prisma-client.ts';
import { isRecordNotFound, jsonOrNull, type MessageRepository, type NewMessage } from './message.repository.ts';

export type FinalStatus = 'COMPLETE' | 'CANCELLED' | 'FAILED';

export interface FinalReply {
  status: FinalStatus;
  content: string;
  streamChunks: number;
  finishReason: string | null;
  /** Omitted: unchanged; null: cleared. */
  metadata?: Prisma.InputJsonValue | null;
}

export type ReplyStreamRepository = ReturnType<typeof createReplyStreamRepository>;

export function createReplyStreamRepository(prisma: PrismaClient, messages: MessageRepository) {
  return {
    /**
     * Stores an empty STREAMING message with the session's next seq: the ordinary send's write
     * (message-insert.ts). Returns null when the session already holds `maxMessages` messages;
     * throws DuplicateClientMessageId when its clientMessageId is taken.
     */
    insertStreaming(message: NewMessage, maxMessages: number): Promise<ConversationMessage | null> {
      return messages.insert(message, maxMessages, 'STREAMING');
    },

    /** Writes the text of a STREAMING reply if it holds more chunks than stored; true when written. */
    async flush(id: string, content: string, streamChunks: number, at: Date): Promise<boolean> {
      const { count } = await prisma.conversationMessage.updateMany({
        where: { id, status: 'STREAMING', streamChunks: { lt: streamChunks } },
        data: { content, streamChunks, streamedAt: at },
      });
      return count === 1;
    },

    /** The one final write of a reply, only while it is STREAMING; null when it is not (or is gone). */
    async finish(id: string, reply: FinalReply): Promise<ConversationMessage | null> {
      const { metadata, ...rest } = reply;
      try {
        return await prisma.conversationMessage.update({
          where: { id, status: 'STREAMING' },
          data: { ...rest, streamedAt: new Date(), ...(metadata === undefined ? {} : { metadata: jsonOrNull(metadata) }) },
        });
      } catch (error) {
        if (isRecordNotFound(error)) return null;
        throw error;
      }
    },

    /** Ids of replies still STREAMING whose text was last flushed before `before`, oldest first. */
    async staleStreaming(before: Date, limit: number): Promise<string[]> {
      const rows = await prisma.conversationMessage.findMany({
        where: { status: 'STREAMING', streamedAt: { lt: before } },
        orderBy: { streamedAt: 'asc' },
        take: limit,
        select: { id: true },
      });
      return rows.map((row) => row.id);
    },
  };
}
