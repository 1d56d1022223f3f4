/**
 * The graphql-transport-ws messages, parsed, validated and serialized by graphql-ws's
 * own functions. This server adds two rules: text frames only, and subscribe ids of at most
 * 128 characters; messages only a server may send (`next`, `error`, `connection_ack`) are
 * refused from a client.
 */
import {
  MessageType,
  parseMessage,
  stringifyMessage,
  type CompleteMessage,
  type ConnectionAckMessage,
  type ConnectionInitMessage,
  type ErrorMessage,
  type Message,
  type NextMessage,
  type PingMessage,
  type PongMessage,
  type SubscribeMessage,
} from 'graphql-ws';
import type { RawData } from 'ws';

export { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';

/** Longest operation id a client may use. */
export const MAX_OPERATION_ID_LENGTH = 128;

export type ClientMessage = ConnectionInitMessage | PingMessage | PongMessage | SubscribeMessage | CompleteMessage;
export type ServerMessage = ConnectionAckMessage | PongMessage | NextMessage | ErrorMessage | CompleteMessage;

export type ParsedFrame = { ok: true; message: ClientMessage } | { ok: false; reason: string };

const invalid = (detail: string): ParsedFrame => ({ ok: false, reason: `Invalid message received: ${detail}` });

/** One inbound frame as a client message, or why it is not one (the 4400 close reason). */
export function parseClientFrame(data: RawData, isBinary: boolean): ParsedFrame {
  if (isBinary) return invalid('binary frames are not supported');
  let message: Message;
  try {
    message = parseMessage(data.toString());
  } catch (error) {
    return invalid(error instanceof SyntaxError ? 'not JSON' : error instanceof Error ? error.message : 'not a message');
  }
  switch (message.type) {
    case MessageType.Subscribe:
      if (message.id.length > MAX_OPERATION_ID_LENGTH) return invalid(`ids are at most ${MAX_OPERATION_ID_LENGTH} characters`);
      return { ok: true, message };
    case MessageType.Complete:
    case MessageType.ConnectionInit:
    case MessageType.Ping:
    case MessageType.Pong:
      return { ok: true, message };
    default:
      return invalid(`"${message.type}" is sent by servers only`);
  }
}

/** The JSON text of a server message (validated by graphql-ws first). */
export function encodeMessage(message: ServerMessage): string {
  return stringifyMessage(message);
}
