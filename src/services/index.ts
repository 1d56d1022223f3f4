/** Builds every service from the repositories; the one place they are wired. */
import type { LimitsConfig } from '../config.ts';
import type { PrismaClient } from '../db/prisma-client.ts';
import { unlimited, type RateLimiter } from '../limits/rate-limiter.ts';
import { createMessageRepository } from '../repositories/message.repository.ts';
import { createSessionRepository } from '../repositories/session.repository.ts';
import { noEvents, type ChatEventPublisher } from './chat-events.ts';
import { createMessageService, type MessageService } from './message.service.ts';
import { createSessionService, type SessionService } from './session.service.ts';
import { createTypingService, type TypingIndicator, type TypingService } from './typing.service.ts';

export interface Services {
  sessions: SessionService;
  messages: MessageService;
  typing: TypingService;
}

export interface ServiceDeps {
  prisma: PrismaClient;
  limits: LimitsConfig;
  events?: ChatEventPublisher;
  /** Limits sends per user (default: unlimited). */
  sendRate?: RateLimiter;
  /** Limits typing events per user (default: unlimited). */
  typingRate?: RateLimiter;
  /** Where typing changes go (the real-time layer); resolved on first use. */
  typingIndicator?: () => TypingIndicator;
}

const noTypingIndicator: TypingIndicator = { set: () => false };

export function createServices(deps: ServiceDeps): Services {
  const { prisma, limits, events = noEvents, sendRate = unlimited(60_000), typingRate = unlimited(10_000) } = deps;
  const sessions = createSessionService(createSessionRepository(prisma));
  const messages = createMessageService({ messages: createMessageRepository(prisma), sessions, events, limits, sendRate });
  const typing = createTypingService({ sessions, typingRate, indicator: deps.typingIndicator ?? (() => noTypingIndicator) });
  return { sessions, messages, typing };
}
