/** Builds every service from the repositories and the real-time port; the one place they are wired. */
import type { LimitsConfig, StreamingConfig } from '../config.ts';
import type { PrismaClient } from '../db/prisma-client.ts';
import { createMemoryRateLimiter } from '../limits/memory-rate-limiter.ts';
import { unlimited, type RateLimiter } from '../limits/rate-limiter.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { offlineRealtime, type RealtimePort } from '../realtime/port.ts';
import type { ReplyStateStore } from '../realtime/reply-state.ts';
import { createMemoryReplyStateStore } from '../realtime/reply-state-memory.ts';
import { createHistoryRepository } from '../repositories/history.repository.ts';
import { createMessageRepository } from '../repositories/message.repository.ts';
import { createReplyStreamRepository } from '../repositories/reply-stream.repository.ts';
import { createSessionRepository } from '../repositories/session.repository.ts';
import { createMessageStreamService, type MessageStreamService } from './message-stream.service.ts';
import { createMessageService, type MessageService } from './message.service.ts';
import { createReplyStreamService, type ReplyStreamService } from './reply-stream.service.ts';
import { createReplyWatchService, type ReplyWatchService } from './reply-watch.service.ts';
import { createSessionService, type SessionService } from './session.service.ts';
import { defaultTypingPolicy, type TypingPolicy } from './typing-rules.ts';
import { createTypingService, type TypingService } from './typing.service.ts';

export interface Services {
  sessions: SessionService;
  messages: MessageService;
  streams: MessageStreamService;
  typing: TypingService;
  /** Streamed replies: start, append, complete, fail, cancel (and the idle sweeper). */
  replies: ReplyStreamService;
  /** Streamed replies as readers see them (messageStream). */
  replyWatch: ReplyWatchService;
}

/** Defaults for services built without configuration (tests). */
const defaultStreaming: StreamingConfig = { flushIntervalMs: 1000, idleTimeoutMs: 30000, maxChunksPerAppend: 100, appendsPerSecond: 50 };

export interface ServiceDeps {
  prisma: PrismaClient;
  limits: LimitsConfig;
  /** Publishing, session streams, typing indicators and presence (default: a port that announces nothing). */
  realtime?: RealtimePort;
  /** Limits sends per user (default: unlimited). */
  sendRate?: RateLimiter;
  /** Limits typing events per user (default: unlimited). */
  typingRate?: RateLimiter;
  /** Typing throttle and expiry (default: 1000 ms and 5000 ms). */
  typingPolicy?: TypingPolicy;
  /** Streamed replies' settings (default: the documented defaults). */
  streaming?: StreamingConfig;
  /** Hot state of streamed replies (default: in this process's memory, publishing through `realtime`). */
  replyState?: ReplyStateStore;
  logger?: Logger;
}

export function createServices(deps: ServiceDeps): Services {
  const { prisma, limits, realtime = offlineRealtime, sendRate = unlimited(60_000), typingRate = unlimited(10_000) } = deps;
  const messageRepository = createMessageRepository(prisma);
  const sessions = createSessionService({ sessions: createSessionRepository(prisma), presence: realtime });
  const history = createHistoryRepository(prisma);
  const messages = createMessageService({ messages: messageRepository, history, sessions, events: realtime, limits, sendRate });
  const streams = createMessageStreamService({ sessions, messages, repository: messageRepository, realtime });
  const typing = createTypingService({
    sessions,
    typingRate,
    policy: deps.typingPolicy ?? defaultTypingPolicy,
    indicators: realtime.typing,
  });
  const streaming = deps.streaming ?? defaultStreaming;
  const store = deps.replyState ?? createMemoryReplyStateStore((event) => realtime.publish(event));
  const replyRepository = createReplyStreamRepository(prisma, messageRepository);
  const replies = createReplyStreamService({
    replies: replyRepository,
    messageReads: messageRepository,
    sessions,
    messages,
    store,
    events: realtime,
    limits,
    config: streaming,
    appendRate:
      streaming.appendsPerSecond === 0 ? unlimited(1000) : createMemoryRateLimiter({ limit: streaming.appendsPerSecond, windowMs: 1000 }),
    logger: deps.logger ?? createLogger('silent'),
  });
  const replyWatch = createReplyWatchService({ messages, messageReads: messageRepository, store, realtime });
  return { sessions, messages, streams, typing, replies, replyWatch };
}
