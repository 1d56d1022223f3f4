/**
 * buildApp(config): wires database, services, GraphQL (HTTP + WebSocket) and REST onto
 * one HTTP server. Returns handles to start and stop it; nothing here reads process.env.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveSigningSecret } from './auth/signing-secret.ts';
import { createTokenVerifier } from './auth/token-verifier.ts';
import type { Config } from './config.ts';
import { applyMigrations } from './db/migrations.ts';
import { createPrismaClient, type PrismaClient, type QueryListener } from './db/prisma-client.ts';
import { createContextFactory } from './graphql/context-factory.ts';
import { createMaskError } from './graphql/mask-error.ts';
import { createChatYoga } from './graphql/yoga.ts';
import { correlationIdFrom, runWithCorrelationId } from './observability/correlation.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createRestHandler, isRestPath } from './rest/handler.ts';
import { schema } from './schema/index.ts';
import { createRealtime, hubPublisher, type Realtime } from './realtime/index.ts';
import { createServices, type Services } from './services/index.ts';
import { attachGraphQLWs, type GraphQLWsServer } from './ws/server.ts';
import { SharedPayloads } from './ws/shared-payloads.ts';

export interface App {
  server: Server;
  prisma: PrismaClient;
  realtime: Realtime;
  ws: GraphQLWsServer;
  logger: Logger;
  /** Listens on config.port/host; resolves with the base URL. */
  start(): Promise<string>;
  /** Stops accepting, closes connections and the database. */
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
  const signing = resolveSigningSecret(config);
  if (signing.created) logger.info('created a development JWT secret', { path: signing.devSecretPath });

  if (options.migrate !== false) {
    const applied = await applyMigrations(config.database);
    if (applied.length > 0) logger.info('applied migrations', { migrations: applied });
  }
  const prisma = await createPrismaClient(config.database, options.onQuery);
  let services: Services | undefined;
  const realtime = createRealtime({
    config: config.realtime,
    redisUrl: config.redisUrl,
    logger,
    sequences: () => ({
      lastSeq: (sessionId) => services!.sessions.lastSeq(sessionId),
      messagesAfter: (sessionId, afterSeq, limit) => services!.messages.messagesAfter(sessionId, afterSeq, limit),
    }),
  });
  services = createServices({ prisma, limits: config.limits, events: hubPublisher(() => realtime) });
  const verifyToken = createTokenVerifier({
    secret: signing.secret,
    jwksUrl: config.jwt.jwksUrl,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
  });
  const createContext = createContextFactory({ services, prisma, limits: config.limits, verifyToken, realtime });
  const maskError = createMaskError(logger);
  const yoga = createChatYoga({ schema, createContext, maskError, cookieName: config.jwt.cookieName, production: config.production });

  const rest = createRestHandler({ yoga, logger, cookieName: config.jwt.cookieName });

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const correlationId = correlationIdFrom(req.headers['x-request-id'] as string | undefined);
    runWithCorrelationId(correlationId, () => {
      if (req.url === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (isRestPath(req.url)) return void rest(req, res);
      void yoga(req, res);
    });
  };
  const server = createServer(handle);
  const ws = attachGraphQLWs(server, '/graphql', config.realtime, {
    yoga,
    maskError,
    shared: new SharedPayloads(),
    createContext,
    verifyToken,
    cookieName: config.jwt.cookieName,
    logger,
  });

  return {
    server,
    prisma,
    realtime,
    ws,
    logger,
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { port } = server.address() as AddressInfo;
          const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
          resolve(`http://${host}:${port}`);
        });
      }),
    async stop() {
      await ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await realtime.close();
      await prisma.$disconnect();
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
