/** Producer and reader operations of streamed replies, over real HTTP and graphql-ws clients. */
import type { Client } from 'graphql-ws';
import { dataOf, graphql, type GraphQLResponse } from '../support/graphql-client.ts';
import { subscribe, type Subscription } from '../support/ws-client.ts';

export const START = `mutation($s: ID!, $input: StartMessageInput) { startMessage(sessionId: $s, input: $input) { id seq status content role } }`;
export const APPEND = `mutation($id: ID!, $chunks: [MessageChunkInput!]!) { appendMessage(id: $id, chunks: $chunks) { messageId status offset nextIndex } }`;
export const COMPLETE = `mutation($id: ID!, $input: CompleteMessageInput) { completeMessage(id: $id, input: $input) { id status content finishReason metadata } }`;
export const FAIL = `mutation($id: ID!, $reason: String!) { failMessage(id: $id, reason: $reason) { id status content finishReason } }`;
export const CANCEL = `mutation($id: ID!) { cancelMessage(id: $id) { id status content finishReason } }`;
export const MESSAGE = `query($id: ID!) { message(id: $id) { id seq status content finishReason } }`;
export const STREAM = `subscription($id: ID!, $from: Int) { messageStream(messageId: $id, fromOffset: $from) { messageId offset text status finishReason done } }`;

export interface StreamEvent {
  messageId: string;
  offset: number;
  text: string;
  status: string;
  finishReason: string | null;
  done: boolean;
}

export interface AppendResult {
  messageId: string;
  status: string;
  offset: number;
  nextIndex: number;
}

export interface StoredReply {
  id: string;
  seq: number;
  status: string;
  content: string;
  finishReason: string | null;
}

export async function startReply(url: string, token: string, sessionId: string, input: Record<string, unknown> = {}): Promise<StoredReply> {
  return dataOf(await graphql<{ startMessage: StoredReply }>(url, START, { s: sessionId, input }, { token })).startMessage;
}

export function appendRaw(
  url: string,
  token: string,
  id: string,
  chunks: { index: number; text: string }[],
): Promise<GraphQLResponse<{ appendMessage: AppendResult }>> {
  return graphql<{ appendMessage: AppendResult }>(url, APPEND, { id, chunks }, { token });
}

export async function append(url: string, token: string, id: string, chunks: { index: number; text: string }[]): Promise<AppendResult> {
  return dataOf(await appendRaw(url, token, id, chunks)).appendMessage;
}

export async function readMessage(url: string, token: string, id: string): Promise<StoredReply> {
  return dataOf(await graphql<{ message: StoredReply }>(url, MESSAGE, { id }, { token })).message;
}

/** A messageStream subscription and the text it assembled (checking that every delta continues the last). */
export interface StreamReader {
  sub: Subscription<{ messageStream: StreamEvent }>;
  /** The text from fromOffset on, assembled from the deltas. */
  text(): string;
  /** Offset reached (fromOffset + received length in code points). */
  offset(): number;
  final(): StreamEvent | undefined;
  /** Resolves once the final event arrived. */
  done(timeoutMs?: number): Promise<StreamEvent>;
  /** Resolves once `offset()` reached at least `offset`. */
  reached(offset: number, timeoutMs?: number): Promise<void>;
}

export function readStream(client: Client, messageId: string, fromOffset = 0): StreamReader {
  const sub = subscribe<{ messageStream: StreamEvent }>(client, STREAM, { id: messageId, from: fromOffset });
  const deltas = () => sub.events.map((e) => e.messageStream).filter((e) => !e.done);
  const assemble = () => {
    let offset = fromOffset;
    let text = '';
    for (const delta of deltas()) {
      if (delta.offset !== offset) throw new Error(`delta at ${delta.offset} does not continue at ${offset}: a gap or a duplicate`);
      text += delta.text;
      offset += [...delta.text].length;
    }
    return { text, offset };
  };
  const waitUntil = async (check: () => boolean, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (sub.errors.length > 0) throw new Error(`stream failed: ${JSON.stringify(sub.errors)}`);
      if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms (have ${sub.events.length} events)`);
      await sub.waitFor(sub.events.length + 1, Math.max(1, deadline - Date.now())).catch(() => {});
    }
  };
  const reader: StreamReader = {
    sub,
    text: () => assemble().text,
    offset: () => assemble().offset,
    final: () => sub.events.map((e) => e.messageStream).find((e) => e.done),
    async done(timeoutMs = 15_000) {
      await waitUntil(() => reader.final() !== undefined, timeoutMs, 'no final event');
      return reader.final()!;
    },
    async reached(offset, timeoutMs = 15_000) {
      await waitUntil(() => reader.offset() >= offset, timeoutMs, `offset ${offset} not reached`);
    },
  };
  return reader;
}
