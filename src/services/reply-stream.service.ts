/**
 * Streamed replies, producer side: a service token opens a STREAMING message (it takes its seq
 * at once), appends chunks (idempotent by index, in order, bounded by MAX_MESSAGE_LENGTH and
 * STREAM_APPENDS_PER_SECOND), then completes or fails it; a participant may cancel it. The hot
 * text lives in the reply state store (shared through Redis); it is written to the database
 * coalesced (STREAM_FLUSH_INTERVAL_MS) and once more, whole, when the reply ends. A reply left
 * STREAMING with no append for STREAM_IDLE_TIMEOUT_MS is marked FAILED by the sweeper.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';
import type { LimitsConfig, StreamingConfig } from '../config.ts';
import { MessageRole, type Prisma, type ConversationMessage } from '../db/prisma-client.ts';
import { AppError, badInput, forbidden, notFound, rateLimited } from '../errors.ts';
import { retryAfterSeconds, type RateLimiter } from '../limits/rate-limiter.ts';
import type { Logger } from '../observability/logger.ts';
import type { RealtimePort } from '../realtime/port.ts';
import { codePointLength, type ReplyState, type ReplyStateStore, type ReplyStatus } from '../realtime/reply-state.ts';
import { DuplicateClientMessageId, type MessageRepository } from '../repositories/message.repository.ts';
import type { FinalReply, FinalStatus, ReplyStreamRepository } from '../repositories/reply-stream.repository.ts';
import type { MessageService } from './message.service.ts';
import { checkClientMessageId, checkMetadata, sessionFull } from './message-rules.ts';
import { checkChunks, checkFailureReason, checkFinishReason, type ChunkInput } from './reply-stream-rules.ts';
import type { SessionService } from './session.service.ts';

export interface StartReplyInput {
  role?: MessageRole | null;
  metadata?: unknown;
  clientMessageId?: string | null;
}

export interface CompleteReplyInput {
  /** Omitted: unchanged; null: cleared; object: replaced. */
  metadata?: unknown;
  finishReason?: string | null;
}

/** What an append answers: where the reply stands. CANCELLED tells the producer to stop. */
export interface AppendResult {
  messageId: string;
  status: ReplyStatus;
  /** Length of the text stored so far, in code points (the offset of the next delta). */
  offset: number;
  /** Index the next new chunk must carry. */
  nextIndex: number;
}

export interface ReplyStreamServiceDeps {
  replies: ReplyStreamRepository;
  /** Message reads by id and by clientMessageId (the message repository's). */
  messageReads: Pick<MessageRepository, 'findById' | 'findByClientMessageId'>;
  sessions: SessionService;
  messages: Pick<MessageService, 'requireMessage'>;
  store: ReplyStateStore;
  events: Pick<RealtimePort, 'publish'>;
  limits: LimitsConfig;
  config: StreamingConfig;
  /** Appends per reply (STREAM_APPENDS_PER_SECOND). */
  appendRate: RateLimiter;
  logger: Logger;
}

const SWEEP_BATCH = 50;

export type ReplyStreamService = ReturnType<typeof createReplyStreamService>;

export function createReplyStreamService(deps: ReplyStreamServiceDeps) {
  const { replies, messageReads, sessions, messages, store, events, limits, config, appendRate, logger } = deps;
  const flushTimers = new Map<string, NodeJS.Timeout>();
  let closed = false;

  function requireService(principal: Principal, action: string): void {
    if (!principal.isService) throw forbidden(`Only a service token may ${action} a streamed reply`);
  }

  /** The reply if `principal` produced it (the service that started it). */
  async function requireOwnReply(principal: Principal, id: string, action: string): Promise<ConversationMessage> {
    requireService(principal, action);
    const message = await messages.requireMessage(principal, id);
    if (message.authorId !== principal.userId) throw forbidden(`Only the service that started a reply may ${action} it`);
    return message;
  }

  const notStreaming = (id: string, status: string) =>
    new AppError('MESSAGE_NOT_STREAMING', `Message "${id}" is ${status}, not STREAMING`, { status });

  /** The hot state as the database last saw it (a restart of Redis, or another instance without Redis). */
  function stateFromRow(message: ConversationMessage): ReplyState {
    return {
      sessionId: message.sessionId,
      authorId: message.authorId,
      status: message.status,
      text: message.content,
      length: codePointLength(message.content),
      nextIndex: message.streamChunks,
      appendedAt: Date.now(),
    };
  }

  function scheduleFlush(id: string): void {
    if (closed || flushTimers.has(id)) return;
    const timer = setTimeout(() => {
      flushTimers.delete(id);
      void flush(id);
    }, config.flushIntervalMs);
    timer.unref();
    flushTimers.set(id, timer);
  }

  /** Writes the hot text of a STREAMING reply to the database (monotonic in chunks). */
  async function flush(id: string): Promise<void> {
    try {
      const state = await store.read(id);
      if (state?.status === 'STREAMING') await replies.flush(id, state.text, state.nextIndex, new Date());
    } catch (error) {
      logger.warn('stream flush failed; the next flush or the final write catches up', { messageId: id, error: String(error) });
    }
  }

  /**
   * Ends a STREAMING reply: the store decides the one winner (complete, fail, cancel or the
   * sweeper), which writes the final text and status and announces it. A loser learns the
   * status that won.
   */
  async function finish(
    message: ConversationMessage,
    status: FinalStatus,
    extra: Pick<FinalReply, 'finishReason' | 'metadata'>,
    /** The sweeper only: when another caller decided but never wrote (it died), write its decision. */
    repair = false,
  ): Promise<ConversationMessage> {
    let outcome = await store.finish(message.id, status);
    if (!outcome) {
      await store.open(message.id, stateFromRow(message));
      outcome = await store.finish(message.id, status);
      if (!outcome) throw notFound('Message', message.id);
    }
    const { state } = outcome;
    if (!outcome.won) {
      // Someone else ended it; they write it (a loser writing too could land first and drop their metadata).
      if (repair && state.status !== 'STREAMING') {
        const repaired = await replies.finish(message.id, {
          status: state.status,
          content: state.text,
          streamChunks: state.nextIndex,
          finishReason: null,
        });
        if (repaired) events.publish({ type: 'MESSAGE_UPDATED', sessionId: repaired.sessionId, message: repaired });
        await store.release(message.id);
        return repaired ?? message;
      }
      if (state.status === status) return (await messageReads.findById(message.id)) ?? message; // a retried call
      throw notStreaming(message.id, state.status);
    }
    clearTimeout(flushTimers.get(message.id));
    flushTimers.delete(message.id);
    const stored = await replies.finish(message.id, { status, content: state.text, streamChunks: state.nextIndex, ...extra });
    await store.release(message.id);
    if (!stored) throw notFound('Message', message.id); // deleted or cleared while streaming
    events.publish({ type: 'MESSAGE_UPDATED', sessionId: stored.sessionId, message: stored });
    return stored;
  }

  async function consumeAppendBudget(id: string): Promise<void> {
    const decision = await appendRate.consume(id);
    if (decision.allowed) return;
    const retryAfter = retryAfterSeconds(decision);
    throw rateLimited(`Too many appends to this reply: at most ${appendRate.limit} a second; send more chunks per append`, {
      retryAfterSeconds: retryAfter,
      limit: appendRate.limit,
    });
  }

  return {
    /** Opens a STREAMING reply at the session's next seq (idempotent by clientMessageId). */
    async start(principal: Principal, sessionId: string, input: StartReplyInput): Promise<ConversationMessage> {
      requireService(principal, 'start');
      await sessions.requireParticipation(principal, sessionId);
      const metadata = checkMetadata(input.metadata, limits);
      const clientMessageId = checkClientMessageId(input.clientMessageId);
      const sameAuthor = (earlier: ConversationMessage) => {
        if (earlier.authorId !== principal.userId) throw badInput('clientMessageId is already used by another message in this session');
        return earlier;
      };
      if (clientMessageId) {
        const earlier = await messageReads.findByClientMessageId(sessionId, clientMessageId);
        if (earlier) return sameAuthor(earlier);
      }
      let stored: ConversationMessage | null;
      try {
        stored = await replies.insertStreaming(
          {
            id: randomUUID(),
            sessionId,
            role: input.role ?? MessageRole.ASSISTANT,
            content: '',
            metadata: metadata as Prisma.InputJsonValue | null,
            authorId: principal.userId,
            clientMessageId,
            timestamp: new Date(),
          },
          limits.maxMessagesPerSession,
        );
      } catch (error) {
        // Two starts with one clientMessageId raced: the loser returns the winner's reply.
        const winner =
          clientMessageId && error instanceof DuplicateClientMessageId
            ? await messageReads.findByClientMessageId(sessionId, clientMessageId)
            : null;
        if (winner) return sameAuthor(winner);
        throw error;
      }
      if (!stored) throw sessionFull(limits.maxMessagesPerSession);
      await store.open(stored.id, stateFromRow(stored));
      events.publish({ type: 'MESSAGE_CREATED', sessionId, message: stored });
      return stored;
    },

    /** Appends chunks; a retried chunk is stored once, a gap is refused (CHUNK_OUT_OF_ORDER). */
    async append(principal: Principal, id: string, chunkInput: readonly ChunkInput[]): Promise<AppendResult> {
      requireService(principal, 'append to');
      const chunks = checkChunks(chunkInput, config);
      await consumeAppendBudget(id);
      let outcome = await store.append(id, principal.userId, chunks, limits.maxMessageLength);
      if (outcome.kind === 'missing') {
        // No hot state here: rebuild it from the database (Redis restarted, or another instance without Redis).
        const message = await requireOwnReply(principal, id, 'append to');
        if (message.status === 'CANCELLED')
          return { messageId: id, status: 'CANCELLED', offset: codePointLength(message.content), nextIndex: message.streamChunks };
        if (message.status !== 'STREAMING') throw notStreaming(id, message.status);
        await store.open(id, stateFromRow(message));
        outcome = await store.append(id, principal.userId, chunks, limits.maxMessageLength);
      }
      if (outcome.kind === 'missing') throw notFound('Message', id);
      if (outcome.kind === 'not-author') throw forbidden('Only the service that started a reply may append to it');
      if (outcome.kind === 'ended') {
        if (outcome.status === 'CANCELLED')
          return { messageId: id, status: 'CANCELLED', offset: outcome.length, nextIndex: outcome.nextIndex };
        throw notStreaming(id, outcome.status);
      }
      scheduleFlush(id);
      if (outcome.stopped === 'OUT_OF_ORDER') {
        throw new AppError(
          'CHUNK_OUT_OF_ORDER',
          `Chunks must be appended in index order: the next is ${outcome.nextIndex}; nothing from the gap on was stored`,
          { nextIndex: outcome.nextIndex },
        );
      }
      if (outcome.stopped === 'TOO_LONG') {
        throw badInput(
          `The reply would exceed ${limits.maxMessageLength} characters; chunks before index ${outcome.nextIndex} were stored`,
          {
            limit: limits.maxMessageLength,
            nextIndex: outcome.nextIndex,
          },
        );
      }
      return { messageId: id, status: 'STREAMING', offset: outcome.length, nextIndex: outcome.nextIndex };
    },

    async complete(principal: Principal, id: string, input: CompleteReplyInput): Promise<ConversationMessage> {
      const message = await requireOwnReply(principal, id, 'complete');
      const finishReason = checkFinishReason(input.finishReason);
      const metadata = input.metadata === undefined ? undefined : (checkMetadata(input.metadata, limits) as Prisma.InputJsonValue | null);
      if (message.status === 'COMPLETE') return message;
      if (message.status !== 'STREAMING') throw notStreaming(id, message.status);
      return finish(message, 'COMPLETE', { finishReason, ...(metadata === undefined ? {} : { metadata }) });
    },

    async fail(principal: Principal, id: string, reason: string): Promise<ConversationMessage> {
      const message = await requireOwnReply(principal, id, 'fail');
      const finishReason = checkFailureReason(reason);
      if (message.status !== 'STREAMING') throw notStreaming(id, message.status);
      return finish(message, 'FAILED', { finishReason });
    },

    /** Stops a reply (any participant of its session, or a service); it keeps its text so far. */
    async cancel(principal: Principal, id: string): Promise<ConversationMessage> {
      const message = await messages.requireMessage(principal, id);
      if (message.status === 'CANCELLED') return message;
      if (message.status !== 'STREAMING') throw notStreaming(id, message.status);
      return finish(message, 'CANCELLED', { finishReason: 'cancelled' });
    },

    /** Marks replies with no append for STREAM_IDLE_TIMEOUT_MS FAILED, with the best text there is; returns how many. */
    async sweepIdle(now = Date.now()): Promise<number> {
      const stale = await replies.staleStreaming(new Date(now - config.idleTimeoutMs), SWEEP_BATCH);
      let failed = 0;
      for (const id of stale) {
        try {
          const hot = await store.read(id);
          if (hot?.status === 'STREAMING' && now - hot.appendedAt < config.idleTimeoutMs) continue; // alive; its flush is due
          const message = await messageReads.findById(id);
          if (message?.status !== 'STREAMING') continue;
          await finish(message, 'FAILED', { finishReason: 'idle_timeout' }, true);
          failed++;
        } catch (error) {
          if (!(error instanceof AppError)) logger.warn('stream sweep failed for a reply', { messageId: id, error: String(error) });
        }
      }
      return failed;
    },

    /** Runs sweepIdle every few seconds (a fraction of the idle timeout) until the returned stop is called. */
    startSweeper(): () => void {
      const every = Math.max(50, Math.min(5000, Math.floor(config.idleTimeoutMs / 3)));
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        this.sweepIdle()
          .catch((error: unknown) => logger.warn('stream sweep failed', { error: String(error) }))
          .finally(() => (running = false));
      }, every);
      timer.unref();
      return () => clearInterval(timer);
    },

    /** Writes every pending flush now and stops scheduling more (shutdown). */
    async close(): Promise<void> {
      closed = true;
      const pending = [...flushTimers.keys()];
      for (const timer of flushTimers.values()) clearTimeout(timer);
      flushTimers.clear();
      await Promise.all(pending.map((id) => flush(id)));
    },
  };
}
