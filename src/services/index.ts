/** Builds every service from the repositories and the real-time port; the one place they are wired. */
import type { LimitsConfig } from '../config.ts';
import type { PrismaClient } from '../db/prisma-client.ts';
import { unlimited, type RateLimiter } from '../limits/rate-limiter.ts';
import { offlineRealtime, type RealtimePort } from '../realtime/port.ts';
import { createHistoryRepository } from '../repositories/history.repository.ts';
import { createMessageRepository } from '../repositories/message.repository.ts';
import { createSessionRepository } from '../repositories/session.repository.ts';
import { createMessageStreamService, type MessageStreamService } from './message-stream.service.ts';
import { createMessageService, type MessageService } from './message.service.ts';
import { createSessionService, type SessionService } from './session.service.ts';
import { defaultTypingPolicy, type TypingPolicy } from './typing-rules.ts';
import { createTypingService, type TypingService } from './typing.service.ts';

export interface Services {
  sessions: SessionService;
  messages: MessageService;
  streams: MessageStreamService;
  typing: TypingService;
}

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
  return { sessions, messages, streams, typing };
}
