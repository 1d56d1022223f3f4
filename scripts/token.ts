/**
 * `npm run token -- <userId> [--service] [--ttl 24h]`: prints a JWT signed with the
 * server's key (JWT_SECRET, or the development secret `npm start` created).
 */
import { signServerToken } from '../src/auth/dev-token.ts';
import { resolveSigningSecret } from '../src/auth/signing-secret.ts';
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
const token = await signServerToken(config, secret, {
  subject: userId,
  expiresIn: args.includes('--ttl') ? ttl : '24h',
  service: args.includes('--service'),
});
console.log(token);
