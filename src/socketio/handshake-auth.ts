/**
 * Who a Socket.IO connection acts for, decided before it joins the namespace: the JWT from
 * the handshake's `auth.token` (as the legacy clients send it), else the Authorization header
 * or the JWT cookie of the handshake request, verified by the same verifier as HTTP and
 * graphql-ws. The user's CONNECTIONS_PER_USER slot is the one counter graphql-ws uses too.
 * A refusal reaches the client as `connect_error` with `message` and `data: { code, correlationId }`.
 */
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/principal.ts';
import { tokenFromRequest } from '../auth/token-source.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import { AppError, type ErrorCode, unauthenticated } from '../errors.ts';
import type { ClaimConnectionSlot } from '../limits/connection-slots.ts';
import { correlationIdFrom } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';

/** The part of a Socket.IO server socket the handshake reads and marks. */
export interface HandshakeSocket {
  handshake: { auth: Record<string, unknown> };
  request: IncomingMessage;
  conn: { readyState: string; once(event: 'close', listener: () => void): unknown };
  data: Partial<HandshakeResult>;
}

/** What a successful handshake leaves on `socket.data`. */
export interface HandshakeResult {
  principal: Principal;
  /** Frees the user's connection slot (idempotent). */
  releaseSlot: () => void;
}

export interface HandshakeDeps {
  verifyToken: TokenVerifier;
  cookieName: string;
  claimSlot: ClaimConnectionSlot;
  logger: Logger;
}

/** The `connect_error` a refused client receives. */
export class HandshakeRefusal extends Error {
  readonly data: { code: ErrorCode; correlationId: string };
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.data = { code, correlationId: correlationIdFrom(undefined) };
  }
}

/** A Socket.IO middleware: `next()` with the principal on `socket.data`, or `next(refusal)`. Never throws. */
export function handshakeAuth(deps: HandshakeDeps) {
  return (socket: HandshakeSocket, next: (error?: Error) => void): void => {
    authenticate(deps, socket).then(
      () => next(),
      (error: unknown) => {
        const refusal = error instanceof HandshakeRefusal ? error : new HandshakeRefusal('UNAUTHENTICATED', messageOf(error));
        deps.logger.debug('Socket.IO connection refused', { code: refusal.data.code, correlationId: refusal.data.correlationId });
        next(refusal);
      },
    );
  };
}

async function authenticate(deps: HandshakeDeps, socket: HandshakeSocket): Promise<void> {
  const token = tokenFromAuth(socket.handshake.auth) ?? tokenFromRequest(socket.request, deps.cookieName);
  if (!token) throw new HandshakeRefusal('UNAUTHENTICATED', 'A token is required: send it as auth.token or in the JWT cookie');
  const principal = await deps.verifyToken(token);
  // Gone while the token was checked: Socket.IO drops the socket without a disconnect event, so claim nothing.
  if (socket.conn.readyState !== 'open') throw unauthenticated('Connection closed during the handshake');
  const releaseSlot = deps.claimSlot(principal.userId);
  if (!releaseSlot) throw new HandshakeRefusal('RATE_LIMITED', 'Too many connections for this user; close another one first');
  // Released on disconnect, and in any case when the underlying connection closes.
  socket.conn.once('close', releaseSlot);
  socket.data.principal = principal;
  socket.data.releaseSlot = releaseSlot;
}

/** `auth.token` ("Bearer …" or bare); `auth.authorization` too, as some clients name it. */
function tokenFromAuth(auth: Record<string, unknown> | undefined): string | undefined {
  if (!auth || typeof auth !== 'object') return undefined;
  const raw = auth.token ?? auth.authorization;
  if (typeof raw !== 'string' || raw.length === 0) return undefined;
  return raw.replace(/^Bearer\s+/i, '');
}

function messageOf(error: unknown): string {
  return error instanceof AppError ? error.message : 'Token is malformed or invalid';
}
