/**
 * Tokens signed with the server's own HS256 secret: `npm run token` prints them; outside
 * production, with the development secret, GraphiQL prefills one and the demo page's
 * sign-in mints them.
 */
import { SignJWT } from 'jose';
import type { Config } from '../config.ts';
import { SERVICE_SCOPE } from './principal.ts';
import type { ResolvedSecret } from './signing-secret.ts';

/** The user GraphiQL's prefilled development token acts for. */
export const GRAPHIQL_DEV_USER = 'dev-user';
/** How long a development token (GraphiQL's prefilled one, the demo page's) lives; each page load or sign-in mints a fresh one. */
export const GRAPHIQL_DEV_TOKEN_TTL = '1h';

export interface ServerTokenOptions {
  subject: string;
  /** A jose duration such as `24h` or `15m`. */
  expiresIn: string;
  /** Adds the service scope (`chat:service`). Default false. */
  service?: boolean;
}

/** Signs a token the server accepts: `iss`/`aud` are JWT_ISSUER/JWT_AUDIENCE, or `chat-dev`/`chat`. */
export function signServerToken(config: Config, secret: string, options: ServerTokenOptions): Promise<string> {
  return new SignJWT(options.service ? { scope: SERVICE_SCOPE } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn)
    .setIssuer(config.jwt.issuer ?? 'chat-dev')
    .setAudience(config.jwt.audience ?? 'chat')
    .sign(new TextEncoder().encode(secret));
}

/**
 * Mints development tokens for any user (the demo page's sign-in), or undefined when none
 * may be minted: only outside production and only when the secret is the development one
 * from DATA_DIR (never with a configured JWT_SECRET or JWT_JWKS_URL).
 */
export function devTokenMinter(config: Config, signing: ResolvedSecret): ((subject: string) => Promise<string>) | undefined {
  const secret = signing.secret;
  if (config.production || !signing.devSecretPath || !secret) return undefined;
  return (subject) => signServerToken(config, secret, { subject, expiresIn: GRAPHIQL_DEV_TOKEN_TTL });
}

/** Mints GraphiQL's prefilled token for dev-user, under devTokenMinter's rule. */
export function graphiqlDevTokenMinter(config: Config, signing: ResolvedSecret): (() => Promise<string>) | undefined {
  const mint = devTokenMinter(config, signing);
  return mint && (() => mint(GRAPHIQL_DEV_USER));
}
