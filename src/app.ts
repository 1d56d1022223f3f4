/**
 * buildApp(config): wires database, services, GraphQL (HTTP + WebSocket) and REST onto
 * one HTTP server. Returns handles to start and stop it; nothing here reads process.env.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { devTokenMinter, graphiqlDevTokenMinter } from './auth/dev-token.ts';
import { resolveSigningSecret } from './auth/signing-secret.ts';
import { createTokenVerifier } from './auth/token-verifier.ts';
import type { Config } from './config.ts';
import { applyMigrations } from './db/migrations.ts';
import { createPrismaClient, pingDatabase, type PrismaClient, type QueryListener } from './db/prisma-client.ts';
import { createAcceptedDocuments } from './graphql/accepted-documents.ts';
import { createContextFactory } from './graphql/context-factory.ts';
import { createMaskError } from './graphql/mask-error.ts';
import { createChatYoga, maskUnmaskedErrors } from './graphql/yoga.ts';
import { createGraphQLHttpHandler } from './http/graphql-fast-path.ts';
import { createHealthEndpoints, type ReadinessCheck } from './http/health.ts';
import { createClientErrorHandler } from './http/client-error.ts';
import { createDemoPage } from './http/demo-page.ts';
import { createLanding } from './http/landing.ts';
import { createRequestHandler } from './http/request-handler.ts';
import { createRequestTracker } from './http/request-tracker.ts';
import { createRateLimiters, type RateLimiters } from './limits/rate-limiters.ts';
import { createMetricsEndpoint, createMetricsServer } from './http/metrics-endpoint.ts';
import { graphqlTelemetry } from './graphql/telemetry.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics, type MetricsRegistry } from './observability/metrics.ts';
import { traceHttpRequests, tracingPlugins } from './observability/tracing.ts';
import { createPublishMetrics, watchRedisReconnects } from './realtime/publish-metrics.ts';
import { closeRedisClient, createRedisClient, waitForRedis } from './redis/redis-client.ts';
import { createRestHandler } from './rest/handler.ts';
import { RestError } from './rest/rest-error.ts';
import { tokenFromRequest } from './auth/token-source.ts';
import { AppError } from './errors.ts';
import { schema } from './schema/index.ts';
import { createRealtime, type Realtime } from './realtime/index.ts';
import { createHistoryRepository } from './repositories/history.repository.ts';
import { createRedisReplyStateStore } from './realtime/reply-state-redis.ts';
import { createServices, type Services } from './services/index.ts';
import { attachGraphQLWs, type GraphQLWsServer } from './ws/server.ts';
import { claimWithRelease, perUserSlots } from './limits/connection-slots.ts';
import { createSocketIo, type SocketIoGateway } from './socketio/server.ts';
import { SharedPayloads } from './ws/shared-payloads.ts';

/** Work to do when shutdown begins, beside draining HTTP (for example closing WebSockets with 1001). */
export type ShutdownHook = () => Promise<void> | void;

export interface App {
  server: Server;
  prisma: PrismaClient;
  realtime: Realtime;
  ws: GraphQLWsServer;
  /** The legacy Socket.IO event API (WEBSOCKET_NAMESPACE at /socket.io/). */
  socketIo: SocketIoGateway;
  logger: Logger;
  /** The app's Prometheus series (served at /metrics). */
  metrics: MetricsRegistry;
  /** The METRICS_PORT listener, when configured (listening once start() resolved). */
  metricsServer?: Server;
  /** Per-user limits shared by every transport (`typing` is for the real-time layer). */
  rateLimiters: RateLimiters;
  /** Listens on config.port/host (and METRICS_PORT when set); resolves with the base URL. */
  start(): Promise<string>;
  /** Registers work for stop() to run (and wait for, within SHUTDOWN_TIMEOUT_MS) when it begins. */
  onShutdown(hook: ShutdownHook): void;
  /**
   * Graceful stop: refuses new connections, lets requests in flight finish (at most
   * SHUTDOWN_TIMEOUT_MS), then closes every connection, Redis and the database.
   * Calling it again returns the same promise.
   */
  stop(): Promise<void>;
}

export interface AppOptions {
  /** Apply pending migrations before serving (default true). */
  migrate?: boolean;
  logger?: Logger;
  /** Sees the SQL of every database query (tests use it to count queries). */
  onQuery?: QueryListener;
}

export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics({ maxOperationNames: config.metrics.maxOperationNames });
  const publishMetrics = createPublishMetrics(metrics);
  const signing = resolveSigningSecret(config);
  if (signing.created) logger.info('created a development JWT secret', { path: signing.devSecretPath });

  if (options.migrate !== false) {
    const applied = await applyMigrations(config.database);
    if (applied.length > 0) logger.info('applied migrations', { migrations: applied });
  }
  const prisma = await createPrismaClient(config.database, options.onQuery);
  const redis = config.redisUrl
    ? createRedisClient(config.redisUrl, { commandTimeoutMs: config.redisCommandTimeoutMs, logger })
    : undefined;
  if (redis) watchRedisReconnects(redis, metrics);
  if (redis && !(await waitForRedis(redis, 2000))) logger.warn('Redis is not reachable yet; rate limits count per instance until it is');
  const rateLimiters = createRateLimiters({ config: config.rateLimits, redis, logger, metrics });
  // Real time reads history through a repository; the services get real time as a port. No cycle.
  const realtime = createRealtime({
    config: config.realtime,
    redisUrl: config.redisUrl,
    redis,
    logger,
    history: createHistoryRepository(prisma),
  });
  const services: Services = createServices({
    prisma,
    limits: config.limits,
    // The port with its publisher timed for send-latency metrics ("stored").
    realtime: { ...realtime, publish: publishMetrics.wrap(realtime).publish },
    sendRate: rateLimiters.messages,
    typingRate: rateLimiters.typing,
    typingPolicy: { throttleMs: config.realtime.typingThrottleMs, timeoutMs: config.realtime.typingTimeoutMs },
    streaming: config.streaming,
    logger,
    // Streamed replies' hot state is shared through Redis (appends may reach any instance); in memory without it.
    replyState: redis
      ? createRedisReplyStateStore({
          redis,
          prefix: config.realtime.redisPrefix,
          channelPrefix: `${config.realtime.redisPrefix}session:`,
          streamingTtlMs: Math.max(3 * config.streaming.idleTimeoutMs, 600_000),
        })
      : undefined,
  });
  const stopSweeper = services.replies.startSweeper();
  publishMetrics.watch(realtime.pubsub);
  const verifyToken = createTokenVerifier({
    secret: signing.secret,
    jwksUrl: config.jwt.jwksUrl,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
  });
  const createContext = createContextFactory({ services, prisma, limits: config.limits, verifyToken });
  const maskError = createMaskError(logger, metrics);
  const acceptedDocuments = createAcceptedDocuments();
  const yoga = createChatYoga({
    schema,
    createContext,
    maskError,
    cookieName: config.jwt.cookieName,
    operationLimits: config.operationLimits,
    exposure: config.exposure,
    graphiqlDevToken: graphiqlDevTokenMinter(config, signing),
    logger,
    plugins: [graphqlTelemetry({ metrics, logger }), acceptedDocuments.plugin],
  });

  let stopping: Promise<void> | undefined;
  const shutdownHooks: ShutdownHook[] = [];
  const requests = createRequestTracker();
  const checks: Record<string, ReadinessCheck> = { database: () => pingDatabase(prisma) };
  if (redis) checks.redis = () => redis.ping();
  const health = createHealthEndpoints({ checks, stopping: () => stopping !== undefined, logger });

  const rest = createRestHandler({
    yoga,
    logger,
    maxBodyBytes: config.operationLimits.maxBodyBytes,
    cookieName: config.jwt.cookieName,
    authenticate: async (req) => {
      const token = tokenFromRequest(req, config.jwt.cookieName);
      if (!token) throw new RestError('UNAUTHENTICATED', 'A valid token is required');
      await verifyToken(token).catch((error: unknown) => {
        throw new RestError('UNAUTHENTICATED', error instanceof AppError ? error.message : 'Token is malformed or invalid');
      });
    },
  });

  const metricsEndpoint = createMetricsEndpoint({
    registry: metrics,
    token: config.metrics.token,
    openWithoutToken: !config.production,
    servedElsewhere: config.metrics.port !== undefined,
  });
  const metricsServer =
    config.metrics.port === undefined
      ? undefined
      : createMetricsServer(
          createMetricsEndpoint({ registry: metrics, token: config.metrics.token, openWithoutToken: true }),
          logger,
          config.operationLimits.maxHeaderBytes,
        );

  // One CONNECTIONS_PER_USER counter for both real-time transports.
  const slots = perUserSlots(config.realtime.connectionsPerUser);
  const socketIo = createSocketIo({
    services,
    maskError,
    verifyToken,
    cookieName: config.jwt.cookieName,
    claimSlot: claimWithRelease(slots),
    logger,
    limits: config.limits,
    realtime: config.realtime,
    maxPacketBytes: config.operationLimits.maxBodyBytes,
  });
  const handle = createRequestHandler({
    health,
    metricsEndpoint,
    landing: createLanding({ graphiql: config.exposure.graphiql, metricsHere: config.metrics.port === undefined }),
    demo: config.production ? undefined : createDemoPage({ mintToken: devTokenMinter(config, signing) }),
    metrics,
    rest,
    socketIo,
    graphql: createGraphQLHttpHandler({
      yoga,
      createContext,
      documents: acceptedDocuments,
      cookieName: config.jwt.cookieName,
      maxBodyBytes: config.operationLimits.maxBodyBytes,
      maskResult: maskUnmaskedErrors(maskError),
      logger,
      fastPath: tracingPlugins().length === 0,
    }),
    requests,
    stopping: () => stopping !== undefined,
    logger,
  });
  // A missing Host is refused by the request handler (JSON 400 with a correlation id), not by Node's bare 400.
  const server = createServer(
    { maxHeaderSize: config.operationLimits.maxHeaderBytes, requireHostHeader: false },
    traceHttpRequests(handle),
  );
  server.on('clientError', createClientErrorHandler(logger));
  const ws = attachGraphQLWs(server, '/graphql', config.realtime, {
    slots,
    otherUpgrades: (request, raw, head) => socketIo.takeUpgrade(request, raw, head),
    yoga,
    maskError,
    shared: new SharedPayloads(),
    createContext,
    verifyToken,
    cookieName: config.jwt.cookieName,
    logger,
    metrics,
  });
  // Sockets close with 1001 at once, so clients reconnect to another instance while HTTP drains.
  shutdownHooks.push(() => ws.close());
  shutdownHooks.push(() => socketIo.close());

  async function shutDown(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    requests.endStreams();
    const hooks = Promise.allSettled(shutdownHooks.map(async (hook) => hook()));
    const drained = await Promise.all([requests.idle(config.shutdownTimeoutMs), settleWithin(hooks, config.shutdownTimeoutMs)]);
    if (!drained[0]) logger.warn('shutdown timeout: closing connections with requests in flight', { requests: requests.active });
    server.closeAllConnections();
    await closed;
    if (metricsServer?.listening) {
      const metricsClosed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      metricsServer.closeAllConnections();
      await metricsClosed;
    }
    stopSweeper();
    await services.replies.close();
    await realtime.close();
    if (redis) await closeRedisClient(redis);
    await prisma.$disconnect();
  }

  return {
    server,
    prisma,
    realtime,
    ws,
    socketIo,
    logger,
    metrics,
    metricsServer,
    rateLimiters,
    onShutdown: (hook) => void shutdownHooks.push(hook),
    async start() {
      if (metricsServer && config.metrics.port !== undefined) {
        const metricsBase = await listen(metricsServer, config.metrics.port, config.metrics.host);
        logger.info('metrics served on a port of their own', { url: `${metricsBase}/metrics` });
      }
      return listen(server, config.port, config.host);
    },
    stop() {
      stopping ??= shutDown();
      return stopping;
    },
  };
}

/** Waits for `work`, but no longer than `timeoutMs`. */
async function settleWithin(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

/** Listens on port/host; resolves with the base URL. */
function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      resolve(`http://${shown}:${address.port}`);
    });
  });
}
