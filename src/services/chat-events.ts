/**
 * What the services announce after a change is stored. The real-time layer implements
 * this; the services never know how (or whether) the events travel.
 */
import type { ConversationMessage } from '../db/prisma-client.ts';

export type ChatEvent =
  | { type: 'MESSAGE_CREATED'; sessionId: string; message: ConversationMessage }
  | { type: 'MESSAGE_UPDATED'; sessionId: string; message: ConversationMessage }
  | { type: 'MESSAGE_DELETED'; sessionId: string; messageId: string; seq: number }
  | { type: 'CONVERSATION_CLEARED'; sessionId: string; deletedCount: number };

export interface ChatEventPublisher {
  /** Called after the change is committed. Must not throw: a failed publish never fails the write. */
  publish(event: ChatEvent): void;
}

export const noEvents: ChatEventPublisher = { publish: () => {} };
