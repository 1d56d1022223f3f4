/**
 * Who a graphql-ws connection acts for: the token from `connection_init` (or the upgrade
 * request), its per-user connection slot, the close at token expiry, and the in-band
 * token refresh operations may ask for.
 */
import type { IncomingMessage } from 'node:http';
import { CloseCode } from 'graphql-ws';
import type { Principal } from '../auth/principal.ts';
import { tokenFromRequest } from '../auth/token-source.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { ConnectionControl } from '../context.ts';
import { AppError, forbidden } from '../errors.ts';
import type { ConnectionSlots } from '../limits/connection-slots.ts';
import type { ExpiryEntry, ExpirySchedule } from './expiry-schedule.ts';

export interface ConnectionAuthDeps {
  verifyToken: TokenVerifier;
  cookieName: string;
  /** The per-user connection counter (CONNECTIONS_PER_USER). */
  slots: ConnectionSlots;
  /** The one timer every connection's token expiry waits on (shared by the server's connections). */
  expiries: ExpirySchedule;
}

/** Why `connection_init` did not lead to an ack: the close code and reason. */
export interface Refusal {
  code: number;
  reason: string;
}

/** Also the ConnectionControl operations get (one object per connection, not one more with its own closure). */
export class ConnectionAuth implements ConnectionControl, ExpiryEntry {
  private current: Principal | null = null;
  private currentToken: string | undefined;
  /** The user whose slot this connection holds, until dispose. */
  private slotHolder: string | null = null;
  /** Its place in deps.expiries (maintained there). */
  heapIndex = -1;
  dueAt = 0;
  private disposed = false;
  /** The upgrade request, read for a token at connection_init and let go of then. */
  private request: IncomingMessage | null;

  /** `owner.tokenExpired()` runs when the token expires without a refresh (the connection closes with 4403). */
  constructor(
    private readonly deps: ConnectionAuthDeps,
    request: IncomingMessage,
    private readonly owner: { tokenExpired(): void },
  ) {
    this.request = request;
  }

  get principal(): Principal | null {
    return this.current;
  }

  get token(): string | undefined {
    return this.currentToken;
  }

  /** Verifies the token and claims a slot; null when the connection may be acknowledged. */
  async authenticate(payload: unknown): Promise<Refusal | null> {
    const request = this.request;
    this.request = null;
    const token = tokenFromConnectionParams(payload) ?? (request ? tokenFromRequest(request, this.deps.cookieName) : undefined);
    if (!token) return { code: CloseCode.Forbidden, reason: 'Forbidden: a token is required in connectionParams or the request' };
    let principal: Principal;
    try {
      principal = await this.deps.verifyToken(token);
    } catch (error) {
      return { code: CloseCode.Forbidden, reason: `Forbidden: ${error instanceof AppError ? error.message : 'invalid token'}` };
    }
    if (this.disposed) return { code: CloseCode.Forbidden, reason: 'Forbidden: connection closed' };
    if (!this.deps.slots.claim(principal.userId)) {
      return { code: CloseCode.TooManyInitialisationRequests, reason: 'Too many connections for this user; close another one first' };
    }
    this.slotHolder = principal.userId;
    this.current = principal;
    this.currentToken = token;
    this.scheduleExpiry();
    return null;
  }

  /** Whether the token has expired (operations check before each event). */
  expired(): boolean {
    const expiresAt = this.current?.expiresAt;
    return expiresAt !== null && expiresAt !== undefined && expiresAt <= Date.now();
  }

  /** What operations on this connection may do to it (see refreshToken). */
  get control(): ConnectionControl {
    return this;
  }

  /** Swaps in a fresh token for the same user. */
  async refreshToken(token: string): Promise<Date | null> {
    const next = await this.deps.verifyToken(token);
    if (!this.current || next.userId !== this.current.userId) {
      throw forbidden('The new token must belong to the same user as the connection');
    }
    this.current = next;
    this.currentToken = token;
    this.scheduleExpiry();
    return next.expiresAt === null ? null : new Date(next.expiresAt);
  }

  /** Leaves the expiry schedule and frees the user's slot. */
  dispose(): void {
    this.disposed = true;
    this.deps.expiries.cancel(this);
    if (this.slotHolder !== null) this.deps.slots.release(this.slotHolder);
    this.slotHolder = null;
  }

  /** The token's expiry time came (the schedule's call). */
  expiryDue(): void {
    if (this.disposed) return;
    if (this.expired()) this.owner.tokenExpired();
    else this.scheduleExpiry();
  }

  private scheduleExpiry(): void {
    const expiresAt = this.current?.expiresAt;
    if (expiresAt === null || expiresAt === undefined || this.disposed) {
      this.deps.expiries.cancel(this);
      return;
    }
    this.deps.expiries.schedule(this, expiresAt);
  }
}

/** `authorization` ("Bearer …" or bare) or `token` from connection_init's payload. */
function tokenFromConnectionParams(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const params = payload as Record<string, unknown>;
  const raw = params.authorization ?? params.Authorization ?? params.token;
  if (typeof raw !== 'string' || raw.length === 0) return undefined;
  return raw.replace(/^Bearer\s+/i, '');
}
