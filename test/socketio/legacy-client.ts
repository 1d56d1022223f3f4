/**
 * The real `socket.io-client` as the legacy web and mobile clients use it: connected to the
 * namespace with `auth.token`, every server envelope collected in an inbox to wait on by type.
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { afterEach } from 'vitest';
import type { ChatFixture } from '../support/chat-fixture.ts';
import { messageInbox, type MessageInbox } from '../support/message-inbox.ts';

export const NAMESPACE = '/chat';

export interface LegacyClient {
  socket: Socket;
  /** Every `{ type, data, timestamp }` the server emitted, in arrival order. */
  inbox: MessageInbox;
  /** Waits for the next envelope of `type` and returns its `data`. */
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  /** Emits `event` with `payload` and resolves with the server's ack. */
  request<T = Record<string, unknown>>(event: string, payload?: unknown, timeoutMs?: number): Promise<T>;
  close(): void;
}

/** socket.io-client's options, and the namespace to connect to (default NAMESPACE). */
export type LegacyOptions = Partial<ManagerOptions & SocketOptions> & { namespace?: string };

/** A client that has not connected yet (`socket.connect()` or `connectLegacy`). */
export function legacyClient(baseUrl: string, token: string | undefined, options: LegacyOptions = {}): LegacyClient {
  const { namespace = NAMESPACE, ...clientOptions } = options;
  const socket = io(`${baseUrl}${namespace}`, {
    autoConnect: false,
    reconnection: false,
    transports: ['websocket'],
    auth: token === undefined ? {} : { token },
    forceNew: true,
    ...clientOptions,
  });
  const inbox = messageInbox();
  socket.onAny((_event: string, envelope: unknown) => {
    if (envelope && typeof envelope === 'object') inbox.push(envelope as Record<string, unknown>);
  });
  return {
    socket,
    inbox,
    next: async <T>(type: string, timeoutMs = 10_000) => (await inbox.next(type, timeoutMs)).data as T,
    request: <T>(event: string, payload?: unknown, timeoutMs = 10_000) =>
      socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>,
    close: () => void socket.disconnect(),
  };
}

/** Connects and resolves once the server's `connected` envelope arrived; rejects with the connect_error. */
export async function connectLegacy(baseUrl: string, token: string | undefined, options: LegacyOptions = {}): Promise<LegacyClient> {
  const client = legacyClient(baseUrl, token, options);
  const refused = new Promise<never>((_, reject) => client.socket.once('connect_error', reject));
  client.socket.connect();
  try {
    await Promise.race([client.next('connected'), refused]);
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

/** The connect_error a refused connection gets (`message`, `data: { code, correlationId }`). */
export async function refusal(baseUrl: string, token: string | undefined, options: LegacyOptions = {}): Promise<ConnectRefusal> {
  const client = legacyClient(baseUrl, token, options);
  const error = new Promise<ConnectRefusal>((resolve) => client.socket.once('connect_error', (e) => resolve(e as ConnectRefusal)));
  const connected = client.next('connected').then(() => {
    throw new Error('the connection was accepted');
  });
  client.socket.connect();
  try {
    return await Promise.race([error, connected]);
  } finally {
    client.close();
  }
}

export interface ConnectRefusal extends Error {
  data?: { code?: string; correlationId?: string };
}

/**
 * Legacy clients of a test file's chat server, closed after each test: `connect(userId)` opens
 * one with that user's token; clients made otherwise are pushed onto `clients` to be closed too.
 */
export function useLegacyClients(chat: ChatFixture): { clients: LegacyClient[]; connect(userId: string): Promise<LegacyClient> } {
  const clients: LegacyClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  return {
    clients,
    async connect(userId) {
      const client = await connectLegacy(chat.server.url, await chat.server.token(userId));
      clients.push(client);
      return client;
    },
  };
}
