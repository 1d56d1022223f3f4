/** What every resolver receives, whichever transport the operation came in by. */
import type { Principal } from './auth/principal.ts';
import type { LimitsConfig } from './config.ts';
import type { PrismaClient } from './db/prisma-client.ts';
import type { AppError } from './errors.ts';
import type { Services } from './services/index.ts';

export interface Context {
  /** The verified caller, or null for an anonymous request. */
  principal: Principal | null;
  /** Why a presented token was rejected (thrown when a field needs the caller). */
  authError: AppError | null;
  correlationId: string;
  services: Services;
  limits: LimitsConfig;
  /** Set when the operation arrived over a WebSocket connection. */
  connection: ConnectionControl | null;
  /** Used by Pothos' Prisma plugin to load relations; everything else goes through services. */
  prisma: PrismaClient;
}

/** What an operation sent over a WebSocket may do to its own connection. */
export interface ConnectionControl {
  /** Swaps in a fresh token for the same user; resolves with its expiry (null: none). */
  refreshToken(token: string): Promise<Date | null>;
}
