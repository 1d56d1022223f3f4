/**
 * The reference assistant: watches a session's new messages over graphql-ws with a service
 * token and answers each USER message by streaming a deterministic reply word by word
 * (startMessage, appendMessage batches, completeMessage), stopping when a reader cancels.
 * No model: the reply is a template around the user's words. `npm run assistant` runs it;
 * the streaming tests and the benchmark drive it in-process.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface AssistantOptions {
  /** The server's GraphQL WebSocket URL, e.g. ws://localhost:4000/graphql. */
  wsUrl: string;
  /** A service token (scope chat:service). */
  token: string;
  sessionId: string;
  /** Words per appendMessage call (default 3). */
  wordsPerAppend?: number;
  /** Pause between appends in ms (default 50). */
  delayMs?: number;
  /** Called after each reply ends, with its id and final status. */
  onReply?: (reply: { messageId: string; status: string; inReplyTo: string }) => void;
}

export interface Assistant {
  client: Client;
  /** Unsubscribes and closes the connection. */
  stop(): Promise<void>;
}

/** The deterministic reply to `content`: its words echoed inside a short template. */
export function replyTo(content: string): string {
  return `You said: ${content.trim().split(/\s+/).join(' ')}. That is ${content.trim().split(/\s+/).length} words.`;
}

/** The reply split into chunks of whole words with their following space, so joining them gives the reply back. */
export function wordChunks(reply: string, wordsPerChunk: number): string[] {
  const words = reply.match(/\S+\s*/g) ?? [];
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerChunk) chunks.push(words.slice(i, i + wordsPerChunk).join(''));
  return chunks;
}

interface Incoming {
  messageReceived: { id: string; role: string; content: string; authorId: string };
}

/** Runs one operation (query or mutation) over the connection; rejects with the GraphQL errors. */
export function execute<T>(client: Client, query: string, variables: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    let data: T | undefined;
    client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors?.length) reject(new Error(result.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')));
          else data = result.data as T;
        },
        error: reject,
        complete: () => (data === undefined ? reject(new Error('no result')) : resolve(data)),
      },
    );
  });
}

const START = `mutation($s: ID!, $c: String) { startMessage(sessionId: $s, input: { clientMessageId: $c }) { id } }`;
const APPEND = `mutation($id: ID!, $chunks: [MessageChunkInput!]!) { appendMessage(id: $id, chunks: $chunks) { status nextIndex } }`;
const COMPLETE = `mutation($id: ID!) { completeMessage(id: $id, input: { finishReason: "stop" }) { status } }`;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startAssistant(options: AssistantOptions): Assistant {
  const wordsPerAppend = options.wordsPerAppend ?? 3;
  const delayMs = options.delayMs ?? 50;
  const client = createClient({ url: options.wsUrl, webSocketImpl: WebSocket, connectionParams: { token: options.token }, lazy: false });

  async function answer(message: Incoming['messageReceived']): Promise<void> {
    // The user's message id names the reply: a restarted assistant resumes the same reply instead of opening another.
    const { startMessage } = await execute<{ startMessage: { id: string } }>(client, START, {
      s: options.sessionId,
      c: `reply-to:${message.id}`,
    });
    const chunks = wordChunks(replyTo(message.content), wordsPerAppend);
    let status = 'STREAMING';
    for (let index = 0; index < chunks.length && status === 'STREAMING'; index++) {
      const result = await execute<{ appendMessage: { status: string } }>(client, APPEND, {
        id: startMessage.id,
        chunks: [{ index, text: chunks[index] }],
      });
      status = result.appendMessage.status;
      if (delayMs > 0) await pause(delayMs);
    }
    if (status === 'STREAMING')
      status = (await execute<{ completeMessage: { status: string } }>(client, COMPLETE, { id: startMessage.id })).completeMessage.status;
    options.onReply?.({ messageId: startMessage.id, status, inReplyTo: message.id });
  }

  const unsubscribe = client.subscribe<Incoming>(
    { query: `subscription($s: ID!) { messageReceived(sessionId: $s) { id role content authorId } }`, variables: { s: options.sessionId } },
    {
      next: (result) => {
        const message = result.data?.messageReceived;
        if (message?.role !== 'USER') return;
        answer(message).catch((error: unknown) => console.error(`reply to ${message.id} failed: ${String(error)}`));
      },
      error: (error) => console.error(`subscription ended: ${String(error)}`),
      complete: () => {},
    },
  );
  return {
    client,
    async stop() {
      unsubscribe();
      await client.dispose();
    },
  };
}
