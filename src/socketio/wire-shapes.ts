/**
 * What `message_received`, `session_joined` and `session_info` carry: the fields of the
 * GraphQL types (Message, SessionInfo) with the same names and the same JSON values, so a
 * client moving to GraphQL keeps its parsing code.
 */
import type { ChatSession, ConversationMessage, SessionParticipant } from '../db/prisma-client.ts';
import type { SessionInfo } from '../services/session.service.ts';

/** GraphQL's `Message` as JSON (dates as ISO 8601 strings). */
export interface MessageData {
  id: string;
  sessionId: string;
  /** Position in the session (1, 2, 3, …); a jump means a missed message. */
  seq: number;
  role: string;
  content: string;
  metadata: unknown;
  timestamp: string;
  authorId: string;
  editedAt: string | null;
  clientMessageId: string | null;
}

export interface SessionData {
  id: string;
  title: string | null;
  ownerId: string;
  createdAt: string;
  lastActivityAt: string;
  messageCount: number;
  lastSeq: number;
}

/** GraphQL's `SessionInfo` as JSON, plus `sessionId` as the legacy payload had it. */
export interface SessionInfoData {
  sessionId: string;
  session: SessionData;
  participants: { userId: string; joinedAt: string }[];
  messageCount: number;
  lastActivityAt: string;
  connectedUserIds: string[];
}

export function messageData(message: ConversationMessage): MessageData {
  return {
    id: message.id,
    sessionId: message.sessionId,
    seq: message.seq,
    role: message.role,
    content: message.content,
    metadata: message.metadata ?? null,
    timestamp: message.timestamp.toISOString(),
    authorId: message.authorId,
    editedAt: message.editedAt?.toISOString() ?? null,
    clientMessageId: message.clientMessageId ?? null,
  };
}

export function sessionData(session: ChatSession): SessionData {
  return {
    id: session.id,
    title: session.title,
    ownerId: session.ownerId,
    createdAt: session.createdAt.toISOString(),
    lastActivityAt: session.lastActivityAt.toISOString(),
    messageCount: session.messageCount,
    lastSeq: session.lastSeq,
  };
}

export async function sessionInfoData(info: SessionInfo): Promise<SessionInfoData> {
  return {
    sessionId: info.session.id,
    session: sessionData(info.session),
    participants: info.participants.map((p: SessionParticipant) => ({ userId: p.userId, joinedAt: p.joinedAt.toISOString() })),
    messageCount: info.messageCount,
    lastActivityAt: info.session.lastActivityAt.toISOString(),
    connectedUserIds: await info.connectedUserIds(),
  };
}
