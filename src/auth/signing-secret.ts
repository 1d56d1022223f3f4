/**
 * Resolves the HS256 secret. Outside production, with no key configured, a random
 * development secret is created once in the data folder so `npm start` and
 * `npm run token` agree without any setup. In production a missing key is fatal.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config.ts';

export const DEV_SECRET_FILE = 'dev-jwt-secret';

export interface ResolvedSecret {
  secret?: string;
  /** Set when the secret came from (or was just written to) the development file. */
  devSecretPath?: string;
  created: boolean;
}

export function resolveSigningSecret(config: Config): ResolvedSecret {
  if (config.jwt.secret) return { secret: config.jwt.secret, created: false };
  if (config.jwt.jwksUrl) return { created: false };
  if (config.production) {
    throw new ConfigError('NODE_ENV=production requires JWT_SECRET or JWT_JWKS_URL; refusing to start without a key.');
  }
  const path = join(config.dataDir, DEV_SECRET_FILE);
  if (existsSync(path)) return { secret: readFileSync(path, 'utf8').trim(), devSecretPath: path, created: false };
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return { secret, devSecretPath: path, created: true };
}
