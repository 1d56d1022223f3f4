/**
 * Events that travel between instances, and their wire form. Payloads cross Redis as
 * JSON, so Dates are sent as ISO strings and revived explicitly on receipt.
 */
import type { ConversationMessage } from '../db/prisma-client.ts';

/** What the services announce after a change is stored. */
export type ChatEvent =
  | { type: 'MESSAGE_CREATED'; sessionId: string; message: ConversationMessage }
  | { type: 'MESSAGE_UPDATED'; sessionId: string; message: ConversationMessage }
  | { type: 'MESSAGE_DELETED'; sessionId: string; messageId: string; seq: number }
  | { type: 'CONVERSATION_CLEARED'; sessionId: string; deletedCount: number }
  | MessageDeltaEvent;

/**
 * Text appended to a streaming reply: `text` starts at code point `offset` of the reply.
 * Published by the reply state store (a Redis script, on Redis) in offset order.
 */
export interface MessageDeltaEvent {
  type: 'MESSAGE_DELTA';
  sessionId: string;
  messageId: string;
  offset: number;
  text: string;
}

export interface TypingEvent {
  type: 'TYPING';
  sessionId: string;
  userId: string;
  isTyping: boolean;
}

export type SessionEvent = ChatEvent | TypingEvent;

export type MessageCreatedEvent = Extract<ChatEvent, { type: 'MESSAGE_CREATED' }>;
export type MessageUpdatedEvent = Extract<ChatEvent, { type: 'MESSAGE_UPDATED' }>;
export type MessageRemovalEvent = Extract<ChatEvent, { type: 'MESSAGE_DELETED' | 'CONVERSATION_CLEARED' }>;

type WireMessage = Omit<ConversationMessage, 'timestamp' | 'editedAt'> & { timestamp: string; editedAt: string | null };

export function encodeEvent(event: SessionEvent): string {
  return JSON.stringify(event);
}

/** Parses an event from the wire; returns undefined for anything malformed. */
export function decodeEvent(raw: string): SessionEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || typeof (parsed as { sessionId?: unknown }).sessionId !== 'string') return undefined;
  const event = parsed as SessionEvent;
  if (event.type === 'MESSAGE_CREATED' || event.type === 'MESSAGE_UPDATED') {
    return { ...event, message: reviveMessage(event.message as unknown as WireMessage) };
  }
  if (event.type === 'MESSAGE_DELETED' || event.type === 'CONVERSATION_CLEARED' || event.type === 'TYPING') return event;
  if (event.type === 'MESSAGE_DELTA') return isDelta(event) ? event : undefined;
  return undefined;
}

function isDelta(event: MessageDeltaEvent): boolean {
  return typeof event.messageId === 'string' && Number.isInteger(event.offset) && typeof event.text === 'string';
}

function reviveMessage(message: WireMessage): ConversationMessage {
  return {
    ...message,
    timestamp: new Date(message.timestamp),
    editedAt: message.editedAt === null ? null : new Date(message.editedAt),
  };
}
