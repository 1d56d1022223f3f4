/** Messages: sending (idempotent, limited), reading, editing, deleting, clearing. */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';
import type { LimitsConfig } from '../config.ts';
import { MessageRole, type Prisma, type ConversationMessage } from '../db/prisma-client.ts';
import { AppError, badInput, forbidden, notFound, rateLimited } from '../errors.ts';
import { retryAfterSeconds, type RateLimiter } from '../limits/rate-limiter.ts';
import type { HistoryRepository } from '../repositories/history.repository.ts';
import {
  DuplicateClientMessageId,
  type MessagePageQuery,
  type MessageQuery,
  type MessageRepository,
} from '../repositories/message.repository.ts';
import type { RealtimePort } from '../realtime/port.ts';
import { checkMessageCursor } from './cursor-rules.ts';
import { isUsableId } from './id-rules.ts';
import { checkClientMessageId, checkContent, checkMetadata, checkPage, sessionFull } from './message-rules.ts';
import type { SessionService } from './session.service.ts';

export interface SendMessageInput {
  content: string;
  metadata?: unknown;
  role?: MessageRole | null;
  clientMessageId?: string | null;
}

export interface UpdateMessageInput {
  content?: string | null;
  /** Omitted: unchanged; null: cleared; object: replaced. */
  metadata?: unknown;
}

export interface SendResult {
  message: ConversationMessage;
  /** False when clientMessageId matched an earlier send and nothing new was stored. */
  created: boolean;
}

export interface MessageServiceDeps {
  messages: MessageRepository;
  /** Pages of the messages connection (one indexed query each). */
  history: Pick<HistoryRepository, 'connectionPage'>;
  sessions: SessionService;
  /** Where stored changes are announced (the real-time layer). */
  events: Pick<RealtimePort, 'publish'>;
  limits: LimitsConfig;
  /** Sends per user (MESSAGES_PER_MINUTE); service tokens are not limited. */
  sendRate: RateLimiter;
}

export type MessageService = ReturnType<typeof createMessageService>;

export function createMessageService({ messages, history, sessions, events, limits, sendRate }: MessageServiceDeps) {
  /** The message if the principal may see it (participant of its session, or a service). */
  async function requireMessage(principal: Principal, id: string): Promise<ConversationMessage> {
    const message = isUsableId(id) ? await messages.findById(id) : null;
    if (!message) throw notFound('Message', id);
    try {
      await sessions.requireSession(principal, message.sessionId);
    } catch {
      throw notFound('Message', id);
    }
    return message;
  }

  /** The message if the principal may change it: its author, or a service token. */
  async function requireAuthoredMessage(principal: Principal, id: string): Promise<ConversationMessage> {
    const message = await requireMessage(principal, id);
    if (!principal.isService && message.authorId !== principal.userId) {
      throw forbidden('Only the author of a message may change or delete it');
    }
    return message;
  }

  function roleFor(principal: Principal, requested: MessageRole | null | undefined): MessageRole {
    if (principal.isService) return requested ?? MessageRole.ASSISTANT;
    if (requested && requested !== MessageRole.USER) {
      throw forbidden(`A user token may only send USER messages; ${requested} needs a service token`);
    }
    return MessageRole.USER;
  }

  /** Counts a send against the user's budget; RATE_LIMITED once it is spent. */
  async function consumeSendBudget(principal: Principal): Promise<void> {
    if (principal.isService) return;
    const decision = await sendRate.consume(principal.userId);
    if (decision.allowed) return;
    const retryAfter = retryAfterSeconds(decision);
    throw rateLimited(`Too many messages: at most ${sendRate.limit} a minute; retry in ${retryAfter} s`, {
      retryAfterSeconds: retryAfter,
      limit: sendRate.limit,
    });
  }

  async function send(principal: Principal, sessionId: string, input: SendMessageInput): Promise<SendResult> {
    // The hot path: a participant's earlier yes is remembered (participants are never removed).
    await sessions.requireParticipation(principal, sessionId);
    const role = roleFor(principal, input.role);
    const content = checkContent(input.content, limits);
    const metadata = checkMetadata(input.metadata, limits);
    const clientMessageId = checkClientMessageId(input.clientMessageId);

    if (clientMessageId) {
      const earlier = await messages.findByClientMessageId(sessionId, clientMessageId);
      if (earlier) return { message: sameAuthor(earlier, principal), created: false };
    }
    // After the idempotency lookup: a retried send returns its message without using budget.
    await consumeSendBudget(principal);
    let stored: ConversationMessage | null;
    try {
      stored = await messages.insert(
        {
          id: randomUUID(),
          sessionId,
          role,
          content,
          metadata: metadata as Prisma.InputJsonValue | null,
          authorId: principal.userId,
          clientMessageId,
          timestamp: new Date(),
        },
        limits.maxMessagesPerSession,
      );
    } catch (error) {
      // Two sends with one clientMessageId raced: the loser returns the winner's message.
      if (clientMessageId && error instanceof DuplicateClientMessageId) {
        const winner = await messages.findByClientMessageId(sessionId, clientMessageId);
        if (winner) return { message: sameAuthor(winner, principal), created: false };
      }
      throw error;
    }
    if (!stored) throw sessionFull(limits.maxMessagesPerSession);
    events.publish({ type: 'MESSAGE_CREATED', sessionId, message: stored });
    return { message: stored, created: true };
  }

  return {
    requireMessage,
    send,

    async list(principal: Principal, sessionId: string, limit: number, offset: number, query?: MessageQuery) {
      const page = checkPage(limit, offset, limits);
      await sessions.requireSession(principal, sessionId);
      return messages.listPage(sessionId, page.limit, page.offset, query);
    },

    async listRecent(principal: Principal, sessionId: string, limit: number, query?: MessageQuery) {
      const page = checkPage(limit, 0, limits);
      await sessions.requireSession(principal, sessionId);
      return messages.listRecent(sessionId, page.limit, query);
    },

    /** The seq of message `messageId` in the session (where a reconnecting client left off). */
    async positionOf(principal: Principal, sessionId: string, messageId: string): Promise<number> {
      const message = isUsableId(messageId) ? await messages.findById(messageId) : null;
      if (!message || message.sessionId !== sessionId) {
        throw notFound('Message', messageId);
      }
      await sessions.requireSession(principal, sessionId);
      return message.seq;
    },

    /** A page of the session's Relay connection (`query` carries take, skip and cursor). */
    async connectionPage(principal: Principal, sessionId: string, query: MessagePageQuery): Promise<ConversationMessage[]> {
      checkMessageCursor(sessionId, query.cursor);
      await sessions.requireParticipation(principal, sessionId);
      return history.connectionPage(sessionId, query);
    },

    /** Messages stored in the session. */
    async count(principal: Principal, sessionId: string): Promise<number> {
      await sessions.requireParticipation(principal, sessionId);
      return messages.count(sessionId);
    },

    async update(principal: Principal, id: string, input: UpdateMessageInput): Promise<ConversationMessage> {
      const hasContent = input.content !== undefined && input.content !== null;
      if (!hasContent && input.metadata === undefined) throw badInput('Nothing to update: give content, metadata or both');
      const message = await requireAuthoredMessage(principal, id);
      // A streaming reply's text belongs to its producer until it ends (the next flush would overwrite an edit).
      if (message.status === 'STREAMING')
        throw new AppError('MESSAGE_STREAMING', 'This reply is still streaming; complete or cancel it first');
      const updated = await messages.update(message.id, {
        ...(hasContent ? { content: checkContent(input.content as string, limits) } : {}),
        ...(input.metadata === undefined ? {} : { metadata: checkMetadata(input.metadata, limits) as Prisma.InputJsonValue | null }),
        editedAt: new Date(),
      });
      // Deleted (or cleared) between the lookup and the write: the loser of that race.
      if (!updated) throw notFound('Message', id);
      events.publish({ type: 'MESSAGE_UPDATED', sessionId: updated.sessionId, message: updated });
      return updated;
    },

    /** Deletes a message and returns it as it was. */
    async delete(principal: Principal, id: string): Promise<ConversationMessage> {
      const message = await requireAuthoredMessage(principal, id);
      if (!(await messages.delete(message))) throw notFound('Message', id);
      events.publish({ type: 'MESSAGE_DELETED', sessionId: message.sessionId, messageId: message.id, seq: message.seq });
      return message;
    },

    /** Deletes every message of a session (owner or service only); returns how many. */
    async clear(principal: Principal, sessionId: string): Promise<number> {
      await sessions.requireOwnedSession(principal, sessionId);
      const deletedCount = await messages.clear(sessionId);
      events.publish({ type: 'CONVERSATION_CLEARED', sessionId, deletedCount });
      return deletedCount;
    },
  };
}

/** A clientMessageId belongs to whoever used it first; another author may not reuse it. */
function sameAuthor(message: ConversationMessage, principal: Principal): ConversationMessage {
  if (message.authorId !== principal.userId) {
    throw badInput('clientMessageId is already used by another message in this session');
  }
  return message;
}
