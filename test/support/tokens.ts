/** Mints JWTs for tests with the same secret the test server verifies with. */
import { SignJWT } from 'jose';
import { SERVICE_SCOPE } from '../../src/auth/principal.ts';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TokenOptions {
  service?: boolean;
  /** Seconds until expiry (default 3600); negative for an expired token. */
  expiresIn?: number;
  secret?: string;
  claims?: Record<string, unknown>;
}

export function mintToken(userId: string, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...(options.service ? { scope: SERVICE_SCOPE } : {}), ...options.claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}
