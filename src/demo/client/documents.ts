/**
 * Every GraphQL operation the demo page runs, with the shapes of their results. Plain
 * strings (urql parses them); test/browser/demo-page.test.ts validates each against the schema.
 */

/** The fields of a message the page shows. A streaming status will be one more field here. */
const MESSAGE_FIELDS = 'id seq role content authorId timestamp';

export interface ChatMessage {
  id: string;
  seq: number;
  role: 'USER' | 'ASSISTANT' | 'SYSTEM';
  content: string;
  authorId: string;
  timestamp: string;
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
