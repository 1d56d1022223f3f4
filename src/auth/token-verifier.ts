/**
 * JWT verification with jose. HS256 with a shared secret, or asymmetric keys from a
 * JWKS URL (or both: the token's `alg` picks the key source). Algorithms are
 * allow-listed, `exp`/`nbf` are enforced, and verified tokens are cached until they
 * expire so the hot path does not re-run the signature check on every request.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError, unauthenticated } from '../errors.ts';
import { isUsableUserId } from '../services/id-rules.ts';
import { SERVICE_SCOPE, type Principal } from './principal.ts';

export interface TokenVerifierOptions {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Verified tokens kept in memory (default 10000); 0 disables the cache. */
  cacheSize?: number;
  /** Longest a token without `exp` stays cached, in ms (default 5 minutes). */
  cacheTtlMs?: number;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const MAX_TOKEN_LENGTH = 8192;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const secret = options.secret ? new TextEncoder().encode(options.secret) : undefined;
  const jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  if (!secret && !jwks) throw new Error('A JWT secret or a JWKS URL is required');
  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? ASYMMETRIC_ALGS : [])];
  const key: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256' && secret) return secret;
    if (jwks && header.alg !== 'HS256') return jwks(header, token);
    throw new AppError('UNAUTHENTICATED', 'Token algorithm is not accepted');
  };
  const cacheSize = options.cacheSize ?? 10_000;
  const cacheTtlMs = options.cacheTtlMs ?? 5 * 60_000;
  const cache = new Map<string, { principal: Principal; until: number }>();

  return async (token) => {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw unauthenticated('Token is malformed');
    const now = Date.now();
    const hit = cache.get(token);
    if (hit && hit.until > now) return hit.principal;
    if (hit) cache.delete(token);

    const payload = await verify(token, key, algorithms, options);
    const principal = principalFrom(payload);
    if (cacheSize > 0) {
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(token, { principal, until: Math.min(principal.expiresAt ?? Infinity, now + cacheTtlMs) });
    }
    return principal;
  };
}

async function verify(token: string, key: JWTVerifyGetKey, algorithms: string[], options: TokenVerifierOptions): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms,
      issuer: options.issuer,
      audience: options.audience,
    });
    return payload;
  } catch (error) {
    throw unauthenticated(reasonFor(error));
  }
}

function reasonFor(error: unknown): string {
  if (error instanceof AppError) return error.message;
  if (error instanceof joseErrors.JWTExpired) return 'Token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'Token is not valid yet';
    return `Token claim "${error.claim}" is not accepted`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'Token algorithm is not accepted';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'Token signature is invalid';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'Token was signed by an unknown key';
  return 'Token is malformed or invalid';
}

function principalFrom(payload: JWTPayload): Principal {
  // A NUL or a lone surrogate cannot be stored (PostgreSQL refuses NUL and turns lone
  // surrogates into U+FFFD, which would let two different subs share one user).
  if (!isUsableUserId(payload.sub)) {
    throw unauthenticated('Token has no usable "sub" claim');
  }
  const scope = payload.scope ?? payload.scp;
  const scopes = Array.isArray(scope) ? scope : typeof scope === 'string' ? scope.split(' ') : [];
  return {
    userId: payload.sub,
    isService: scopes.includes(SERVICE_SCOPE),
    expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
  };
}
