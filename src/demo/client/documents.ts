/**
 * Every GraphQL operation the demo page runs, with the shapes of their results. Plain
 * strings (urql parses them); test/browser/demo-page.test.ts validates each against the schema.
 */

/** The fields of a message the page shows. */
const MESSAGE_FIELDS = 'id seq role content authorId timestamp status finishReason';

/** COMPLETE: sent whole or finished; STREAMING: its producer is still appending; CANCELLED / FAILED: ended early. */
export type MessageStatus = 'COMPLETE' | 'STREAMING' | 'CANCELLED' | 'FAILED';

export interface ChatMessage {
  id: string;
  seq: number;
  role: 'USER' | 'ASSISTANT' | 'SYSTEM';
  /** For a STREAMING reply: the text appended so far. */
  content: string;
  authorId: string;
  timestamp: string;
  status: MessageStatus;
  finishReason: string | null;
}

export interface SessionSummary {
  id: string;
  title: string | null;
  ownerId: string;
  lastActivityAt: string;
  messageCount: number;
  participants: { userId: string }[];
}

const SESSION_FIELDS = 'id title ownerId lastActivityAt messageCount participants { userId }';

export const SESSIONS = `query DemoSessions { sessions(first: 50) { edges { node { ${SESSION_FIELDS} } } } }`;
export interface SessionsResult {
  sessions: { edges: { node: SessionSummary }[] };
}

export const CREATE_SESSION = `mutation DemoCreateSession($title: String, $participantIds: [ID!]) {
  createSession(input: { title: $title, participantIds: $participantIds }) { ${SESSION_FIELDS} }
}`;
export interface CreateSessionResult {
  createSession: SessionSummary;
}

export const ADD_PARTICIPANT = `mutation DemoAddParticipant($sessionId: ID!, $userId: ID!) {
  addParticipant(sessionId: $sessionId, userId: $userId) { ${SESSION_FIELDS} }
}`;
export interface AddParticipantResult {
  addParticipant: SessionSummary;
}

/** One page of history, newest last; `before` pages back towards the first message. */
export const HISTORY = `query DemoHistory($id: ID!, $last: Int!, $before: String) {
  session(id: $id) {
    ${SESSION_FIELDS}
    messages(last: $last, before: $before) {
      edges { node { ${MESSAGE_FIELDS} } }
      pageInfo { hasPreviousPage startCursor }
    }
  }
}`;
export interface HistoryResult {
  session: SessionSummary & {
    messages: { edges: { node: ChatMessage }[]; pageInfo: { hasPreviousPage: boolean; startCursor: string | null } };
  };
}

export const SEND_MESSAGE = `mutation DemoSendMessage($sessionId: ID!, $content: String!, $clientMessageId: String) {
  sendMessage(sessionId: $sessionId, input: { content: $content, clientMessageId: $clientMessageId }) { ${MESSAGE_FIELDS} }
}`;
export interface SendMessageResult {
  sendMessage: ChatMessage;
}

export const SET_TYPING = `mutation DemoSetTyping($sessionId: ID!, $isTyping: Boolean!) {
  setTyping(sessionId: $sessionId, isTyping: $isTyping)
}`;

/** Live messages after `afterSeq`: the replay fills whatever was missed while disconnected. */
export const MESSAGE_RECEIVED = `subscription DemoMessageReceived($sessionId: ID!, $afterSeq: Int) {
  messageReceived(sessionId: $sessionId, afterSeq: $afterSeq) { ${MESSAGE_FIELDS} }
}`;
export interface MessageReceivedResult {
  messageReceived: ChatMessage;
}

export const TYPING = `subscription DemoTyping($sessionId: ID!) {
  typing(sessionId: $sessionId) { userId isTyping }
}`;
export interface TypingResult {
  typing: { userId: string; isTyping: boolean };
}

/**
 * A streamed reply's text from `fromOffset` (code points the page already shows): deltas,
 * then one event with done: true and the final status.
 */
export const MESSAGE_STREAM = `subscription DemoMessageStream($messageId: ID!, $fromOffset: Int) {
  messageStream(messageId: $messageId, fromOffset: $fromOffset) { messageId offset text status finishReason done }
}`;
export interface MessageStreamResult {
  messageStream: { messageId: string; offset: number; text: string; status: MessageStatus; finishReason: string | null; done: boolean };
}

/** Stops a streaming reply (any participant may); it keeps its text so far as CANCELLED. */
export const CANCEL_MESSAGE = `mutation DemoCancelMessage($id: ID!) {
  cancelMessage(id: $id) { ${MESSAGE_FIELDS} }
}`;
export interface CancelMessageResult {
  cancelMessage: ChatMessage;
}
