/**
 * The GraphQL documents behind the REST routes, one per route. They run through the
 * same Yoga pipeline as any client's, so auth, validation, limits and errors are shared.
 */

/** The legacy message shape first (id … timestamp), then the fields GraphQL added. */
const messageFields = /* GraphQL */ `
  fragment RestMessage on Message {
    id
    sessionId
    role
    content
    metadata
    timestamp
    seq
    authorId
    editedAt
    clientMessageId
    status
    finishReason
  }
`;

export const sendMessageDocument = /* GraphQL */ `
  mutation RestSendMessage($sessionId: ID!, $input: SendMessageInput!) {
    sendMessage(sessionId: $sessionId, input: $input) { ...RestMessage }
  }
  ${messageFields}
`;

export const listMessagesDocument = /* GraphQL */ `
  query RestListMessages($sessionId: ID!, $limit: Int, $offset: Int) {
    messages(sessionId: $sessionId, limit: $limit, offset: $offset) { ...RestMessage }
  }
  ${messageFields}
`;

export const recentMessagesDocument = /* GraphQL */ `
  query RestRecentMessages($sessionId: ID!, $limit: Int) {
    recentMessages(sessionId: $sessionId, limit: $limit) { ...RestMessage }
  }
  ${messageFields}
`;

export const countMessagesDocument = /* GraphQL */ `
  query RestCountMessages($sessionId: ID!) {
    messageCount(sessionId: $sessionId)
  }
`;

export const updateMessageDocument = /* GraphQL */ `
  mutation RestUpdateMessage($id: ID!, $input: UpdateMessageInput!) {
    updateMessage(id: $id, input: $input) { ...RestMessage }
  }
  ${messageFields}
`;

export const deleteMessageDocument = /* GraphQL */ `
  mutation RestDeleteMessage($id: ID!) {
    deleteMessage(id: $id) { id }
  }
`;

export const clearMessagesDocument = /* GraphQL */ `
  mutation RestClearMessages($sessionId: ID!) {
    clearConversation(sessionId: $sessionId)
  }
`;
