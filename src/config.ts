/**
 * Environment → typed, validated configuration. Every option, its env var and its
 * default is listed in README.md ("Configuration"); keep the two in step.
 */
import { DEFAULT_DATABASE_URL, parseDatabaseUrl, type DatabaseTarget } from './db/database-target.ts';

export interface JwtConfig {
  /** HS256 shared secret (JWT_SECRET). */
  secret?: string;
  /** JWKS endpoint for asymmetric keys (JWT_JWKS_URL). */
  jwksUrl?: string;
  /** Required `iss` claim when set (JWT_ISSUER). */
  issuer?: string;
  /** Required `aud` claim when set (JWT_AUDIENCE). */
  audience?: string;
  /** Cookie that may carry the token (JWT_COOKIE_NAME, default `jwt`). */
  cookieName: string;
}

export interface LimitsConfig {
  /** MAX_MESSAGE_LENGTH, default 10000 characters (Unicode code points). */
  maxMessageLength: number;
  /** MAX_MESSAGES_PER_SESSION, default 1000 stored messages. */
  maxMessagesPerSession: number;
  /** MAX_METADATA_BYTES, default 16384 bytes of serialized JSON. */
  maxMetadataBytes: number;
  /** MAX_METADATA_DEPTH, default 8 levels of nesting. */
  maxMetadataDepth: number;
  /** MAX_PAGE_SIZE, default 200: largest `limit`/`first`/`last` a client may ask for. */
  maxPageSize: number;
}

export interface Config {
  /** NODE_ENV === 'production'. */
  production: boolean;
  /** PORT, default 4000 (0 picks a free port). */
  port: number;
  /** HOST, default 0.0.0.0. */
  host: string;
  /** DATABASE_URL, default file:./data/chat.db (SQLite). */
  database: DatabaseTarget;
  /** DATA_DIR, default ./data: where the SQLite file and the development secret live. */
  dataDir: string;
  /** REDIS_URL, unset by default (in-memory pubsub). */
  redisUrl?: string;
  jwt: JwtConfig;
  limits: LimitsConfig;
  /** LOG_LEVEL, default info (debug | info | warn | error | silent). */
  logLevel: LogLevel;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function intFrom(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}; got "${raw}"`);
  }
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Reads and validates the configuration; throws ConfigError with a readable message. */
export function loadConfig(env: Env = process.env): Config {
  const logLevel = (optional(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!logLevels.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')}`);
  let database: DatabaseTarget;
  try {
    database = parseDatabaseUrl(optional(env, 'DATABASE_URL') ?? DEFAULT_DATABASE_URL);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    production: env.NODE_ENV === 'production',
    port: intFrom(env, 'PORT', 4000, 0, 65535),
    host: optional(env, 'HOST') ?? '0.0.0.0',
    database,
    dataDir: optional(env, 'DATA_DIR') ?? './data',
    redisUrl: optional(env, 'REDIS_URL'),
    jwt: {
      secret: optional(env, 'JWT_SECRET'),
      jwksUrl: optional(env, 'JWT_JWKS_URL'),
      issuer: optional(env, 'JWT_ISSUER'),
      audience: optional(env, 'JWT_AUDIENCE'),
      cookieName: optional(env, 'JWT_COOKIE_NAME') ?? 'jwt',
    },
    limits: {
      maxMessageLength: intFrom(env, 'MAX_MESSAGE_LENGTH', 10000, 1),
      maxMessagesPerSession: intFrom(env, 'MAX_MESSAGES_PER_SESSION', 1000, 1),
      maxMetadataBytes: intFrom(env, 'MAX_METADATA_BYTES', 16384, 2),
      maxMetadataDepth: intFrom(env, 'MAX_METADATA_DEPTH', 8, 1, 100),
      maxPageSize: intFrom(env, 'MAX_PAGE_SIZE', 200, 1, 10000),
    },
    logLevel,
  };
}
