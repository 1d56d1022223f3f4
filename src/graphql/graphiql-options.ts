/**
 * What GraphiQL opens with: example tabs walking through createSession → messageReceived →
 * sendMessage, and the Authorization header (a fresh development token, or a placeholder).
 */
import type { GraphiQLOptions } from 'graphql-yoga';

/** The header GraphiQL shows when no development token may be minted. */
export const PLACEHOLDER_AUTHORIZATION = 'Bearer <paste a token here: npm run token -- <userId>>';

const START_HERE = /* GraphQL */ `# Welcome! The Authorization header (Headers, below) is sent with every request.
# 1. Run CreateSession and copy the session id.
# 2. In the MessageReceived tab, put that id into Variables and run it: it keeps listening.
# 3. In the SendMessage tab, put the same id into Variables and run it: the message
#    appears in the MessageReceived tab.

mutation CreateSession {
  createSession(input: { title: "Tried in GraphiQL" }) {
    id
    title
    createdAt
  }
}

query MySessions {
  sessions(first: 10) {
    edges {
      node {
        id
        title
        lastSeq
        lastActivityAt
      }
    }
  }
}
`;

const MESSAGE_RECEIVED = /* GraphQL */ `# Every new message of the session, live (over SSE). With afterSeq: 0 the stored
# messages are replayed first.
subscription MessageReceived($sessionId: ID!) {
  messageReceived(sessionId: $sessionId) {
    id
    seq
    authorId
    content
    timestamp
  }
}
`;

const SEND_MESSAGE = /* GraphQL */ `mutation SendMessage($sessionId: ID!, $content: String!) {
  sendMessage(sessionId: $sessionId, input: { content: $content }) {
    id
    seq
    content
    timestamp
  }
}
`;

/**
 * Builds GraphiQL's options for one page load. `devToken` mints the prefilled token; absent,
 * the header holds a placeholder. GraphiQL sends JSON POSTs (SSE included), which CSRF
 * prevention lets through without an extra header.
 */
export async function graphiqlOptions(devToken?: () => Promise<string>): Promise<GraphiQLOptions> {
  const authorization = devToken ? `Bearer ${await devToken()}` : PLACEHOLDER_AUTHORIZATION;
  const headers = JSON.stringify({ Authorization: authorization }, null, 2);
  const sessionVariables = JSON.stringify({ sessionId: '<id from CreateSession>' }, null, 2);
  return {
    title: 'Chat GraphQL',
    headers,
    // A stored (possibly expired) token must not win over the fresh one of this page load.
    shouldPersistHeaders: false,
    defaultTabs: [
      { query: START_HERE, headers },
      { query: MESSAGE_RECEIVED, variables: sessionVariables, headers },
      {
        query: SEND_MESSAGE,
        variables: JSON.stringify({ sessionId: '<id from CreateSession>', content: 'Hello from GraphiQL' }, null, 2),
        headers,
      },
    ],
    subscriptionsProtocol: 'SSE',
  };
}
