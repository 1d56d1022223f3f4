/**
 * The payloads Socket.IO clients send, parsed once at the edge into typed values. Anything
 * else (a string, an array, a wrong type, binary attachments) is BAD_USER_INPUT with a
 * message naming the field; the rules on the values themselves (id shape, content length,
 * metadata size) stay the services' and apply here as on every other transport.
 */
import { badInput } from '../errors.ts';
import type { SendMessageInput } from '../services/message.service.ts';
import { MessageRole } from '../db/prisma-client.ts';

type Payload = Record<string, unknown>;

/** `join_session { sessionId }`. */
export function parseJoin(raw: unknown): { sessionId: string } {
  const payload = objectPayload(raw, 'join_session', '{ sessionId }');
  return { sessionId: requiredString(payload, 'sessionId') };
}

/** `send_message { content, metadata?, clientMessageId?, role? }`. */
export function parseSend(raw: unknown): SendMessageInput {
  const payload = objectPayload(raw, 'send_message', '{ content, metadata }');
  if (typeof payload.content !== 'string') throw badInput('send_message: content must be a string');
  const input: SendMessageInput = { content: payload.content };
  if (payload.metadata !== undefined) {
    if (containsBinary(payload.metadata)) throw badInput('send_message: metadata must be JSON, not binary data');
    input.metadata = payload.metadata;
  }
  if (payload.clientMessageId !== undefined && payload.clientMessageId !== null) {
    input.clientMessageId = requiredString(payload, 'clientMessageId');
  }
  if (payload.role !== undefined && payload.role !== null) input.role = roleOf(requiredString(payload, 'role'));
  return input;
}

/** `typing { isTyping }`. */
export function parseTyping(raw: unknown): { isTyping: boolean } {
  const payload = objectPayload(raw, 'typing', '{ isTyping }');
  if (typeof payload.isTyping !== 'boolean') throw badInput('typing: isTyping must be true or false');
  return { isTyping: payload.isTyping };
}

/** `get_session_info` takes no payload (the joined session), or `{ sessionId }` for another of the user's sessions. */
export function parseSessionInfo(raw: unknown): { sessionId?: string } {
  if (raw === undefined || raw === null) return {};
  const payload = objectPayload(raw, 'get_session_info', '{ sessionId } or nothing');
  return payload.sessionId === undefined ? {} : { sessionId: requiredString(payload, 'sessionId') };
}

function objectPayload(raw: unknown, event: string, shape: string): Payload {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || Buffer.isBuffer(raw)) {
    throw badInput(`${event} expects an object ${shape}`);
  }
  return raw as Payload;
}

function requiredString(payload: Payload, field: string): string {
  const value = payload[field];
  if (typeof value !== 'string') throw badInput(`${field} must be a string`);
  return value;
}

function roleOf(value: string): MessageRole {
  const upper = value.toUpperCase();
  if (!Object.hasOwn(MessageRole, upper)) throw badInput(`role must be one of ${Object.keys(MessageRole).join(', ')}`);
  return upper as MessageRole;
}

/**
 * Socket.IO revives binary attachments as Buffers anywhere in a payload; JSON columns cannot
 * hold them as sent. The walk is bounded: deeper than `depth` is left to the metadata depth rule.
 */
function containsBinary(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  if (depth >= 128) return false;
  for (const child of Object.values(value)) if (containsBinary(child, depth + 1)) return true;
  return false;
}
