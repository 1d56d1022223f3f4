/** Builds the resolver Context from a token (or none), the same way for every transport. */
import type { Principal } from '../auth/principal.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { LimitsConfig } from '../config.ts';
import type { ConnectionControl, Context } from '../context.ts';
import type { PrismaClient } from '../db/prisma-client.ts';
import { AppError, unauthenticated } from '../errors.ts';
import { noteUserId } from '../observability/correlation.ts';
import type { Services } from '../services/index.ts';

export interface ContextDeps {
  services: Services;
  prisma: PrismaClient;
  limits: LimitsConfig;
  verifyToken: TokenVerifier;
}

export type ContextFactory = (token: string | undefined, correlationId: string, connection?: ConnectionControl) => Promise<Context>;

export function createContextFactory(deps: ContextDeps): ContextFactory {
  // One object literal with every field, not a spread of a shared base: V8 gave each spread
  // copy a hidden class of its own (≈ 260 B per context, kept for a subscription's life).
  const contextOf = (
    correlationId: string,
    connection: ConnectionControl | undefined,
    principal: Principal | null,
    authError: AppError | null,
  ): Context => ({
    principal,
    authError,
    correlationId,
    services: deps.services,
    limits: deps.limits,
    connection: connection ?? null,
    prisma: deps.prisma,
  });
  return async (token, correlationId, connection) => {
    if (!token) return contextOf(correlationId, connection, null, null);
    try {
      const principal = await deps.verifyToken(token);
      noteUserId(principal.userId);
      return contextOf(correlationId, connection, principal, null);
    } catch (error) {
      const authError = error instanceof AppError ? error : unauthenticated('Token is malformed or invalid');
      return contextOf(correlationId, connection, null, authError);
    }
  };
}
