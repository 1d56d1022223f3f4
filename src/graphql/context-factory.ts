/** Builds the resolver Context from a token (or none), the same way for every transport. */
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
  return async (token, correlationId, connection) => {
    const base = {
      correlationId,
      services: deps.services,
      prisma: deps.prisma,
      limits: deps.limits,
      connection: connection ?? null,
    };
    if (!token) return { ...base, principal: null, authError: null };
    try {
      const principal = await deps.verifyToken(token);
      noteUserId(principal.userId);
      return { ...base, principal, authError: null };
    } catch (error) {
      const authError = error instanceof AppError ? error : unauthenticated('Token is malformed or invalid');
      return { ...base, principal: null, authError };
    }
  };
}
