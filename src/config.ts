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

export interface RealtimeConfig {
  /** TYPING_THROTTLE_MS, default 1000: a renewed isTyping:true is forwarded at most this often. */
  typingThrottleMs: number;
  /** TYPING_TIMEOUT_MS, default 5000: isTyping:true not renewed within this becomes false. */
  typingTimeoutMs: number;
  /** CONNECTIONS_PER_USER, default 5: open WebSocket connections one user may hold per instance. */
  connectionsPerUser: number;
  /** WEBSOCKET_CORS_ORIGIN, default `*`: comma-separated Origins allowed to open WebSockets. */
  allowedOrigins: string[] | '*';
  /** WS_CONNECTION_INIT_TIMEOUT_MS, default 3000: close sockets that never send connection_init. */
  connectionInitTimeoutMs: number;
  /** WS_KEEPALIVE_MS, default 12000: ping interval; a socket that misses a pong is dropped. */
  keepAliveMs: number;
  /** WS_MAX_FRAME_BYTES, default 65536: larger frames close the socket (1009). */
  maxFrameBytes: number;
  /**
   * WS_MAX_BUFFERED_BYTES, default 4194304: unsent bytes (subscription events, query and mutation results) a slow
   * socket may pile up before it is closed with 1013.
   */
  maxBufferedBytes: number;
  /**
   * WS_MAX_SUBSCRIPTIONS, default 100: operations (subscriptions, and queries or mutations still running) one
   * WebSocket may have active at once; a subscribe beyond that closes the socket with 4413.
   */
  maxActiveOperations: number;
  /** SUBSCRIBER_MAX_QUEUE, default 5000: events one subscription may fall behind before it is cut off. */
  maxQueuedEvents: number;
  /** REDIS_CHANNEL_PREFIX, default `chat:`: namespace for Redis channels and keys. */
  redisPrefix: string;
  /** WEBSOCKET_NAMESPACE, default `/chat`: the Socket.IO namespace serving the legacy event API (at `/socket.io/`). */
  socketIoNamespace: string;
}

export interface RateLimitConfig {
  /** MESSAGES_PER_MINUTE, default 60 sends per user in any rolling minute, across all transports and instances (0 = off). */
  messagesPerMinute: number;
  /** TYPING_EVENTS_PER_10S, default 20 typing events per user in any rolling 10 seconds (0 = off). */
  typingEventsPer10s: number;
  /** RATE_LIMIT_REDIS_PREFIX, default `chat:ratelimit:`: prefix of the Redis keys when REDIS_URL is set. */
  redisKeyPrefix: string;
}

/** Streamed replies (startMessage / appendMessage / completeMessage). */
export interface StreamingConfig {
  /** STREAM_FLUSH_INTERVAL_MS, default 1000: a streaming reply's text is written to the database at most this often per instance. */
  flushIntervalMs: number;
  /** STREAM_IDLE_TIMEOUT_MS, default 30000: a STREAMING reply with no append for this long is marked FAILED. */
  idleTimeoutMs: number;
  /** STREAM_MAX_CHUNKS_PER_APPEND, default 100: chunks one appendMessage call may carry. */
  maxChunksPerAppend: number;
  /** STREAM_APPENDS_PER_SECOND, default 50: appendMessage calls per reply per second on one instance (0 = off). */
  appendsPerSecond: number;
}

/** Bounds on one GraphQL request, enforced before any resolver runs (HTTP and WebSocket). */
export interface OperationLimitsConfig {
  /** MAX_QUERY_DEPTH, default 10 levels of selection sets (our deepest client operation has 5). */
  maxDepth: number;
  /** MAX_ALIASES, default 15 aliases per operation. */
  maxAliases: number;
  /**
   * MAX_QUERY_COST, default 20000 (GraphQL Armor's cost: objects 2, scalars 1, ×1.5 per level, ×N for a literal
   * first/last: N). A page of MAX_PAGE_SIZE messages with their fields costs about 13000; nested connections do not pass.
   */
  maxCost: number;
  /** MAX_DIRECTIVES, default 20 directives per operation. */
  maxDirectives: number;
  /** MAX_QUERY_TOKENS, default 1000 lexical tokens per document. */
  maxTokens: number;
  /** MAX_BATCH_OPERATIONS, default 0: operations per batched HTTP request (0 turns batching off). */
  maxBatchOperations: number;
  /** MAX_BODY_BYTES, default 262144 (256 KiB): largest HTTP request body, GraphQL and REST alike (larger answers 413). */
  maxBodyBytes: number;
  /**
   * MAX_HEADER_BYTES, default 16384 (16 KiB): largest request line plus headers of an HTTP
   * request or WebSocket upgrade (Node's `maxHeaderSize`); larger answers 431.
   */
  maxHeaderBytes: number;
}

/** What the GraphQL endpoint reveals about itself; everything is on outside production. */
export interface GraphQLExposureConfig {
  /** GRAPHQL_INTROSPECTION, default true outside production and false in production. */
  introspection: boolean;
  /** GRAPHIQL, default true outside production and false in production. */
  graphiql: boolean;
  /** "Did you mean …?" in validation errors: shown outside production only. */
  fieldSuggestions: boolean;
  /** CSRF_PREVENTION, default true in production: GET and form-like POSTs need an `x-graphql-csrf` header. */
  csrfPrevention: boolean;
}

/** Where and to whom `GET /metrics` (Prometheus text format) is served. */
export interface MetricsConfig {
  /**
   * METRICS_PORT, unset by default: serve /metrics on this port only (a second listener; 0 picks a free
   * port) and answer 404 for /metrics on the main port. Unset: /metrics is on the main port.
   */
  port?: number;
  /** METRICS_HOST, default HOST: the address the METRICS_PORT listener binds. */
  host: string;
  /**
   * METRICS_TOKEN, unset by default: when set, /metrics (on either port) requires `Authorization: Bearer <token>`.
   * When neither METRICS_TOKEN nor METRICS_PORT is set, /metrics is open outside production and refused (403) in production.
   */
  token?: string;
  /** METRICS_MAX_OPERATION_NAMES, default 50: distinct GraphQL operation names with their own series; later ones count as `__other`. */
  maxOperationNames: number;
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
  /** REDIS_URL, unset by default (in-memory pubsub and rate limits). */
  redisUrl?: string;
  /** REDIS_COMMAND_TIMEOUT_MS, default 250: a Redis command slower than this fails (rate limits then fall back to memory). */
  redisCommandTimeoutMs: number;
  jwt: JwtConfig;
  limits: LimitsConfig;
  realtime: RealtimeConfig;
  rateLimits: RateLimitConfig;
  streaming: StreamingConfig;
  operationLimits: OperationLimitsConfig;
  exposure: GraphQLExposureConfig;
  /** SHUTDOWN_TIMEOUT_MS, default 10000: how long stop() waits for in-flight requests. */
  shutdownTimeoutMs: number;
  /** LOG_LEVEL, default info (debug | info | warn | error | silent). */
  logLevel: LogLevel;
  metrics: MetricsConfig;
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

function boolFrom(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false; got "${raw}"`);
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
  const production = env.NODE_ENV === 'production';
  const host = optional(env, 'HOST') ?? '0.0.0.0';
  const metricsToken = optional(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters');
  return {
    production,
    port: intFrom(env, 'PORT', 4000, 0, 65535),
    host,
    database,
    dataDir: optional(env, 'DATA_DIR') ?? './data',
    redisUrl: optional(env, 'REDIS_URL'),
    redisCommandTimeoutMs: intFrom(env, 'REDIS_COMMAND_TIMEOUT_MS', 250, 1, 60000),
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
    realtime: {
      typingThrottleMs: intFrom(env, 'TYPING_THROTTLE_MS', 1000, 0),
      typingTimeoutMs: intFrom(env, 'TYPING_TIMEOUT_MS', 5000, 100),
      connectionsPerUser: intFrom(env, 'CONNECTIONS_PER_USER', 5, 1),
      allowedOrigins: originsFrom(optional(env, 'WEBSOCKET_CORS_ORIGIN') ?? '*'),
      connectionInitTimeoutMs: intFrom(env, 'WS_CONNECTION_INIT_TIMEOUT_MS', 3000, 100),
      keepAliveMs: intFrom(env, 'WS_KEEPALIVE_MS', 12000, 0),
      maxFrameBytes: intFrom(env, 'WS_MAX_FRAME_BYTES', 65536, 1024),
      maxBufferedBytes: intFrom(env, 'WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 1024),
      maxActiveOperations: intFrom(env, 'WS_MAX_SUBSCRIPTIONS', 100, 1, 100000),
      maxQueuedEvents: intFrom(env, 'SUBSCRIBER_MAX_QUEUE', 5000, 10),
      redisPrefix: optional(env, 'REDIS_CHANNEL_PREFIX') ?? 'chat:',
      socketIoNamespace: namespaceFrom(optional(env, 'WEBSOCKET_NAMESPACE') ?? '/chat'),
    },
    rateLimits: {
      messagesPerMinute: intFrom(env, 'MESSAGES_PER_MINUTE', 60, 0),
      typingEventsPer10s: intFrom(env, 'TYPING_EVENTS_PER_10S', 20, 0),
      redisKeyPrefix: optional(env, 'RATE_LIMIT_REDIS_PREFIX') ?? 'chat:ratelimit:',
    },
    streaming: {
      flushIntervalMs: intFrom(env, 'STREAM_FLUSH_INTERVAL_MS', 1000, 10, 600000),
      idleTimeoutMs: intFrom(env, 'STREAM_IDLE_TIMEOUT_MS', 30000, 100, 86400000),
      maxChunksPerAppend: intFrom(env, 'STREAM_MAX_CHUNKS_PER_APPEND', 100, 1, 10000),
      appendsPerSecond: intFrom(env, 'STREAM_APPENDS_PER_SECOND', 50, 0),
    },
    operationLimits: {
      maxDepth: intFrom(env, 'MAX_QUERY_DEPTH', 10, 1, 1000),
      maxAliases: intFrom(env, 'MAX_ALIASES', 15, 0, 100000),
      maxCost: intFrom(env, 'MAX_QUERY_COST', 20000, 1),
      maxDirectives: intFrom(env, 'MAX_DIRECTIVES', 20, 0, 100000),
      maxTokens: intFrom(env, 'MAX_QUERY_TOKENS', 1000, 1),
      maxBatchOperations: intFrom(env, 'MAX_BATCH_OPERATIONS', 0, 0, 1000),
      maxBodyBytes: intFrom(env, 'MAX_BODY_BYTES', 262144, 1024),
      maxHeaderBytes: intFrom(env, 'MAX_HEADER_BYTES', 16384, 1024, 1024 * 1024),
    },
    exposure: {
      introspection: boolFrom(env, 'GRAPHQL_INTROSPECTION', !production),
      graphiql: boolFrom(env, 'GRAPHIQL', !production),
      fieldSuggestions: !production,
      csrfPrevention: boolFrom(env, 'CSRF_PREVENTION', production),
    },
    shutdownTimeoutMs: intFrom(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 600000),
    logLevel,
    metrics: {
      port: optional(env, 'METRICS_PORT') === undefined ? undefined : intFrom(env, 'METRICS_PORT', 0, 0, 65535),
      host: optional(env, 'METRICS_HOST') ?? host,
      token: metricsToken,
      maxOperationNames: intFrom(env, 'METRICS_MAX_OPERATION_NAMES', 50, 1, 1000),
    },
  };
}

function originsFrom(value: string): string[] | '*' {
  if (value.trim() === '*') return '*';
  return value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** A Socket.IO namespace: `/` followed by letters, digits, `_`, `-` or `/`. */
function namespaceFrom(value: string): string {
  if (!/^\/[A-Za-z0-9_\-/]{0,100}$/.test(value)) {
    throw new ConfigError(`WEBSOCKET_NAMESPACE must start with / and hold only letters, digits, _, - and /; got "${value}"`);
  }
  return value;
}
