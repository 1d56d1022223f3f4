/**
 * `npm run token -- <userId> [--service] [--ttl 24h]`: prints a JWT signed with the
 * server's key (JWT_SECRET, or the development secret `npm start` created).
 */
import { SignJWT } from 'jose';
import { resolveSigningSecret } from '../src/auth/signing-secret.ts';
import { SERVICE_SCOPE } from '../src/auth/principal.ts';
import { loadConfig } from '../src/config.ts';

const args = process.argv.slice(2);
const userId = args.find((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--ttl');
if (!userId) {
  console.error('usage: npm run token -- <userId> [--service] [--ttl 24h]');
  process.exit(2);
}
const ttl = args[args.indexOf('--ttl') + 1] ?? '24h';
const config = loadConfig();
const { secret } = resolveSigningSecret(config);
if (!secret) {
  console.error('JWT_JWKS_URL is configured: tokens come from your identity provider, not from this script.');
  process.exit(2);
}
const token = await new SignJWT(args.includes('--service') ? { scope: SERVICE_SCOPE } : {})
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject(userId)
  .setIssuedAt()
  .setExpirationTime(args.includes('--ttl') ? ttl : '24h')
  .setIssuer(config.jwt.issuer ?? 'chat-dev')
  .setAudience(config.jwt.audience ?? 'chat')
  .sign(new TextEncoder().encode(secret));
console.log(token);
