/**
 * `npm run cluster`: compose.yaml's topology without containers — two instances of the
 * server sharing one PostgreSQL database and one Redis, on the local services.
 *
 * - CLUSTER_PORTS, default `4001,4002`: one instance per port.
 * - DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/chat_cluster (created when missing).
 * - REDIS_URL, default redis://127.0.0.1:6379.
 * Every other variable (JWT_SECRET, REDIS_CHANNEL_PREFIX, …) passes through to both
 * instances. Migrations and the development JWT secret are settled here once, before the
 * instances start, so the two never race for them. SIGTERM/SIGINT stop both instances
 * gracefully; if one exits on its own, the other is stopped too and the exit code is 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { resolveSigningSecret } from '../src/auth/signing-secret.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { applyMigrations } from '../src/db/migrations.ts';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/chat_cluster';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Creates the URL's database when the server does not have it yet. */
async function ensurePostgresDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) return;
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.toString(), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
}

function parsePorts(raw: string): number[] {
  const ports = raw.split(',').map((part) => Number(part.trim()));
  if (ports.length < 1 || ports.some((port) => !Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new ConfigError(`CLUSTER_PORTS must be comma-separated port numbers; got "${raw}"`);
  }
  return ports;
}

/** The server entry next to this script: compiled (dist/) or, under tsx, the source. */
function serverCommand(): string[] {
  const fromSource = import.meta.url.endsWith('.ts');
  const main = fileURLToPath(new URL(fromSource ? '../src/main.ts' : '../src/main.js', import.meta.url));
  return fromSource ? ['--import', 'tsx', main] : [main];
}

/** Copies a child's output line by line, each line prefixed with its port. */
function relay(stream: NodeJS.ReadableStream, to: NodeJS.WritableStream, label: string, onLine?: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      to.write(`[${label}] ${line}\n`);
      onLine?.(line);
    }
  });
}

async function main(): Promise<void> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL || DEFAULT_REDIS_URL,
  };
  const ports = parsePorts(process.env.CLUSTER_PORTS || '4001,4002');
  const config = loadConfig(env);
  if (config.database.provider === 'postgresql') await ensurePostgresDatabase(config.database.url);
  await applyMigrations(config.database);
  resolveSigningSecret(config);

  const children: ChildProcess[] = [];
  let listening = 0;
  let stopping = false;
  let exitCode = 0;
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const exited = ports.map((port) => {
    const child = spawn(process.execPath, serverCommand(), {
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    relay(child.stdout!, process.stdout, String(port), (line) => {
      if (!line.includes('listening on')) return;
      listening += 1;
      if (listening === ports.length) {
        const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
        console.log(`cluster ready: ${ports.map((p) => `http://${host}:${p}/graphql`).join(' ')} (Redis fan-out on ${env.REDIS_URL})`);
      }
    });
    relay(child.stderr!, process.stderr, String(port));
    return new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (code !== 0 || !stopping) {
          exitCode = 1;
          if (!stopping) console.error(`instance on port ${port} exited (${signal ?? code}); stopping the cluster`);
          stopAll('SIGTERM');
        }
        resolve();
      });
    });
  });
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGINT', () => stopAll('SIGTERM'));
  await Promise.all(exited);
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : `cluster failed to start: ${String(error)}`);
  process.exit(1);
});
