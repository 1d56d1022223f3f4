/**
 * Streamed replies, reader side: `messageStream(messageId, fromOffset)` authorizes the reader
 * (a participant of the reply's session, or a service), joins the session's live events first,
 * then sends the text from `fromOffset` as the hot state (or the database) holds it, then the
 * live deltas, deduplicated by offset: no gap and no duplicate, on any instance.
 */
import type { ConversationMessage } from '../db/prisma-client.ts';
import { badInput, notFound } from '../errors.ts';
import type { RealtimePort } from '../realtime/port.ts';
import { codePointLength, sliceFromCodePoint, type ReplyStateStore } from '../realtime/reply-state.ts';
import type { MessageRepository } from '../repositories/message.repository.ts';
import type { MessageService } from './message.service.ts';
import { expiryOf, type Watcher } from './message-stream.service.ts';
import { ReplyReader, type ReplySourceEvent, type ReplyStreamItem } from './reply-reader.ts';

export type { ReplyEndEvent, ReplyStreamItem } from './reply-reader.ts';

export interface ReplyWatchServiceDeps {
  messages: Pick<MessageService, 'requireMessage'>;
  messageReads: Pick<MessageRepository, 'findById'>;
  store: Pick<ReplyStateStore, 'read'>;
  realtime: Pick<RealtimePort, 'openSessionStream'>;
}

export type ReplyWatchService = ReturnType<typeof createReplyWatchService>;

export function createReplyWatchService({ messages, messageReads, store, realtime }: ReplyWatchServiceDeps) {
  /** The reply's text from `offset` on: the hot state while it has it, the stored text after. */
  async function readFrom(message: ConversationMessage, offset: number): Promise<{ text: string; length: number }> {
    const hot = await store.read(message.id);
    const text = hot ? hot.text : ((await messageReads.findById(message.id))?.content ?? '');
    return { text: sliceFromCodePoint(text, offset), length: hot ? hot.length : codePointLength(text) };
  }

  return {
    /** The text of a message as readers should see it: a STREAMING reply's hot text (fresher than its last flush). */
    async currentText(message: Pick<ConversationMessage, 'id' | 'status' | 'content'>): Promise<string> {
      if (message.status !== 'STREAMING') return message.content;
      return (await store.read(message.id))?.text ?? message.content;
    },

    async messageStream(
      watcher: Watcher,
      messageId: string,
      fromOffset: number | null | undefined,
    ): Promise<AsyncIterableIterator<ReplyStreamItem>> {
      const from = fromOffset ?? 0;
      if (!Number.isSafeInteger(from) || from < 0) throw badInput('fromOffset must be an integer of 0 or more');
      const message = await messages.requireMessage(watcher.principal, messageId);
      const stream = await realtime.openSessionStream<ReplySourceEvent>({
        sessionId: message.sessionId,
        userId: watcher.principal.userId,
        accept: (e): e is ReplySourceEvent =>
          (e.type === 'MESSAGE_DELTA' && e.messageId === messageId) ||
          (e.type === 'MESSAGE_UPDATED' && e.message.id === messageId) ||
          (e.type === 'MESSAGE_DELETED' && e.messageId === messageId) ||
          e.type === 'CONVERSATION_CLEARED',
        endsAt: expiryOf(watcher),
      });
      try {
        // Read after joining: whatever is appended from now on arrives live too (and is deduplicated).
        const stored = await messageReads.findById(messageId);
        if (!stored) throw notFound('Message', messageId);
        const ended = stored.status !== 'STREAMING';
        const snapshot = ended ? { text: stored.content, length: codePointLength(stored.content) } : await readFrom(stored, 0);
        if (from > snapshot.length) {
          throw badInput(`fromOffset ${from} is beyond the ${snapshot.length} characters of the reply so far`, { length: snapshot.length });
        }
        const first: ReplyStreamItem[] = [];
        if (snapshot.length > from) {
          first.push({
            type: 'MESSAGE_DELTA',
            sessionId: stored.sessionId,
            messageId,
            offset: from,
            text: sliceFromCodePoint(snapshot.text, from),
          });
        }
        if (ended) {
          first.push({
            type: 'MESSAGE_STREAM_END',
            messageId,
            offset: snapshot.length,
            status: stored.status as 'COMPLETE',
            finishReason: stored.finishReason,
          });
        }
        return new ReplyReader(messageId, stream.goLive(), snapshot.length, (offset) => readFrom(stored, offset), first).items;
      } catch (error) {
        stream.close();
        throw error;
      }
    },
  };
}
