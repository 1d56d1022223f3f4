/** Entry point for `npm start`: config from the environment, then serve until a signal. */
// Holds the young generation's growth while the server loads (see the file).
import { releaseYoungGeneration } from './observability/startup-heap.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startTracing, stopTracing } from './observability/tracing.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  // Before buildApp: the GraphQL plugins and the database instrumentation are read while building.
  await startTracing(process.env);
  // Imported here, not above: a static import would load (parse and compile) the whole
  // application before any line of this file runs, i.e. before startup-heap.ts.
  const { buildApp } = await import('./app.ts');
  const app = await buildApp(config);
  const url = await app.start();
  releaseYoungGeneration();
  const db = config.database.provider === 'sqlite' ? config.database.url : 'PostgreSQL';
  console.log(`Chat API listening on ${url}/graphql (database: ${db}${config.redisUrl ? ', Redis fan-out' : ''})`);
  if (!config.jwt.secret && !config.jwt.jwksUrl) {
    console.log(`Using the development JWT secret in ${config.dataDir}/dev-jwt-secret; get a token with: npm run token -- <userId>`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info('shutting down', { signal });
    // stop() is bounded by SHUTDOWN_TIMEOUT_MS; this is the backstop should closing hang.
    setTimeout(() => {
      app.logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5000).unref();
    app
      .stop()
      .then(() => stopTracing())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          app.logger.error('shutdown failed', { error: String(error) });
          process.exit(1);
        },
      );
  };
  // A promise someone forgot to await must not take every connection down with it.
  process.on('unhandledRejection', (reason: unknown) => {
    app.logger.error('unhandled promise rejection', { error: reason instanceof Error ? reason.stack : String(reason) });
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error('Failed to start:', error);
  }
  process.exit(1);
});
