/**
 * Load pieces that speak the chat API: sending messages through the real sendMessage
 * mutation (lean keep-alive HTTP), and subscribing many lean sockets to messageReceived.
 */
import type { FanoutReceiver } from './fanout.ts';
import { ConnectionPool, jsonPost, type HttpResponse } from './http-client.ts';
import { connectLean, connectMany, type LeanSocket } from './ws-client.ts';

export const SEND_MESSAGE = 'mutation Send($s: ID!, $c: String!) { sendMessage(sessionId: $s, input: { content: $c }) { id seq } }';
export const MESSAGE_RECEIVED = 'subscription Received($s: ID!) { messageReceived(sessionId: $s) { id seq content timestamp authorId } }';

const ERRORS_KEY = Buffer.from('"errors"');
export const graphqlOk = (response: HttpResponse) => response.status === 200 && response.body.indexOf(ERRORS_KEY) < 0;

/** A function that sends `content` to session `sessionIds[channel]` as that channel's sender. */
export function chatSender(graphqlUrl: string, sessionIds: readonly string[], senderTokens: readonly string[]) {
  const pool = new ConnectionPool(graphqlUrl);
  const host = new URL(graphqlUrl).host;
  let firstError: string | undefined;
  const send = async (channel: number, content: string): Promise<boolean> => {
    const body = JSON.stringify({ query: SEND_MESSAGE, variables: { s: sessionIds[channel], c: content } });
    let response: HttpResponse;
    try {
      response = await pool.request(jsonPost(host, '/graphql', body, { Authorization: `Bearer ${senderTokens[channel]}` }));
    } catch (error) {
      firstError ??= String(error);
      throw error;
    }
    const ok = graphqlOk(response);
    if (!ok) firstError ??= `${response.status} ${response.body.toString().slice(0, 300)}`;
    return ok;
  };
  /** `firstError`: the first refused or failed send's status and body, to explain a failure. */
  return {
    send,
    close: () => pool.close(),
    get firstError() {
      return firstError;
    },
  };
}

/** Raw ws baseline's publish endpoint, with the same calling shape as chatSender. */
export function rawPublisher(baseUrl: string, channelNames: readonly string[]) {
  const pool = new ConnectionPool(baseUrl);
  const host = new URL(baseUrl).host;
  let firstError: string | undefined;
  const send = async (channel: number, content: string): Promise<boolean> => {
    try {
      const response = await pool.request(jsonPost(host, '/publish', JSON.stringify({ channel: channelNames[channel], content })));
      if (response.status !== 200) firstError ??= `${response.status} ${response.body.toString().slice(0, 300)}`;
      return response.status === 200;
    } catch (error) {
      firstError ??= String(error);
      throw error;
    }
  };
  return {
    send,
    close: () => pool.close(),
    get firstError() {
      return firstError;
    },
  };
}

/**
 * Opens one socket per token: token k is the receiver's subscriber `first + k`, subscribed
 * once to messageReceived of session `sessionIds[receiver.channelOfSubscriber[first + k]]`.
 */
export async function subscribeAll(
  wsUrl: string,
  tokens: readonly string[],
  sessionIds: readonly string[],
  receiver: FanoutReceiver,
  first = 0,
): Promise<{ sockets: LeanSocket[]; elapsedMs: number }> {
  return connectMany(tokens.length, 64, async (k) => {
    const subscriber = first + k;
    const socket = await connectLean(wsUrl, tokens[k]!, {
      onFrame: (data) => receiver.onFrame(subscriber, data),
      onUnexpectedClose: () => {
        receiver.unexpectedCloses += 1;
      },
    });
    socket.subscribe('1', MESSAGE_RECEIVED, { s: sessionIds[receiver.channelOfSubscriber[subscriber]!] });
    return socket;
  });
}

export function closeAll(sockets: readonly { close(): void }[]): void {
  for (const socket of sockets) socket.close();
}
