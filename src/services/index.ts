/** Builds every service from the repositories; the one place they are wired. */
import type { LimitsConfig } from '../config.ts';
import type { PrismaClient } from '../db/prisma-client.ts';
import { unlimited, type RateLimiter } from '../limits/rate-limiter.ts';
import { createMessageRepository } from '../repositories/message.repository.ts';
import { createSessionRepository } from '../repositories/session.repository.ts';
import { noEvents, type ChatEventPublisher } from './chat-events.ts';
import { createMessageService, type MessageService } from './message.service.ts';
import { createSessionService, type SessionService } from './session.service.ts';

export interface Services {
  sessions: SessionService;
  messages: MessageService;
}

export interface ServiceDeps {
  prisma: PrismaClient;
  limits: LimitsConfig;
  events?: ChatEventPublisher;
  /** Limits sends per user (default: unlimited). */
  sendRate?: RateLimiter;
}

export function createServices({ prisma, limits, events = noEvents, sendRate = unlimited(60_000) }: ServiceDeps): Services {
  const sessions = createSessionService(createSessionRepository(prisma));
  const messages = createMessageService({ messages: createMessageRepository(prisma), sessions, events, limits, sendRate });
  return { sessions, messages };
}
