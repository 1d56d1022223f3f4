/** HS256 tokens signed with the secret the benchmarked servers verify with. */
import { SignJWT } from 'jose';
import { SERVICE_SCOPE } from '../../src/auth/principal.ts';

export const BENCH_JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';

export function mintToken(userId: string, options: { service?: boolean; ttlSeconds?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(options.service ? { scope: SERVICE_SCOPE } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 3600))
    .sign(new TextEncoder().encode(BENCH_JWT_SECRET));
}

/** One token per user id, minted in parallel batches. */
export async function mintTokens(userIds: readonly string[]): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < userIds.length; i += 500) {
    tokens.push(...(await Promise.all(userIds.slice(i, i + 500).map((id) => mintToken(id)))));
  }
  return tokens;
}
