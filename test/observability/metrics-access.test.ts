/**
 * Who may read /metrics, and where: a bearer token when METRICS_TOKEN is set; a port of
 * its own with METRICS_PORT (the main port then answers 404); open outside production,
 * refused in production unless one of the two is set.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { scrapeMetrics } from '../support/metrics-scrape.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const TOKEN = 'metrics-token-0123456789abcdef';

async function withServer(env: Record<string, string>, run: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer('sqlite', env);
  try {
    await run(server);
  } finally {
    await server.stop();
  }
}

function metricsPortUrl(server: TestServer): string {
  const address = server.app.metricsServer?.address() as AddressInfo | null | undefined;
  if (!address) throw new Error('no METRICS_PORT listener');
  return `http://127.0.0.1:${address.port}`;
}

async function errorOf(response: Response): Promise<string | undefined> {
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return body.errors?.[0]?.extensions?.code;
}

describe('/metrics access', () => {
  it('is open on the main port outside production when neither METRICS_TOKEN nor METRICS_PORT is set', async () => {
    await withServer({}, async (server) => {
      expect((await scrapeMetrics(`${server.url}/metrics`)).status).toBe(200);
      const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(await errorOf(post)).toBe('METHOD_NOT_ALLOWED');
    });
  });

  it('requires Authorization: Bearer <METRICS_TOKEN> when the token is set', async () => {
    await withServer({ METRICS_TOKEN: TOKEN }, async (server) => {
      const url = `${server.url}/metrics`;
      const bare = await fetch(url);
      expect(bare.status).toBe(401);
      expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await errorOf(bare)).toBe('UNAUTHENTICATED');
      expect((await scrapeMetrics(url, { token: `${TOKEN}x` })).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: TOKEN } })).status).toBe(401);
      const scrape = await scrapeMetrics(url, { token: TOKEN });
      expect(scrape.status).toBe(200);
      expect(scrape.text).toContain('chat_http_requests_total');
    });
  });

  it('with METRICS_PORT serves /metrics only there; the main port answers 404 for it', async () => {
    await withServer({ METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' }, async (server) => {
      const separate = metricsPortUrl(server);
      expect(separate).not.toBe(server.url);
      const scrape = await scrapeMetrics(`${separate}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.text).toContain('# TYPE chat_ws_connections_open gauge');
      const main = await fetch(`${server.url}/metrics`);
      expect(main.status).toBe(404);
      expect(await errorOf(main)).toBe('NOT_FOUND');
      // The metrics port serves nothing else.
      const other = await fetch(`${separate}/graphql?query=%7B__typename%7D`);
      expect(other.status).toBe(404);
      // The main port still serves the API, and its requests show up on the metrics port.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await scrapeMetrics(`${separate}/metrics`)).value('chat_http_requests_total', { route: '/healthz', status: '200' })).toBe(1);
    });
  });

  it('with METRICS_PORT and METRICS_TOKEN asks for the token on the metrics port', async () => {
    await withServer({ METRICS_PORT: '0', METRICS_HOST: '127.0.0.1', METRICS_TOKEN: TOKEN }, async (server) => {
      const url = `${metricsPortUrl(server)}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await scrapeMetrics(url, { token: TOKEN })).status).toBe(200);
    });
  });

  it('is refused on the main port in production unless METRICS_TOKEN or METRICS_PORT is set', async () => {
    await withServer({ NODE_ENV: 'production' }, async (server) => {
      const refused = await fetch(`${server.url}/metrics`);
      expect(refused.status).toBe(403);
      expect(await errorOf(refused)).toBe('FORBIDDEN');
    });
    await withServer({ NODE_ENV: 'production', METRICS_TOKEN: TOKEN }, async (server) => {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      expect((await scrapeMetrics(`${server.url}/metrics`, { token: TOKEN })).status).toBe(200);
    });
    await withServer({ NODE_ENV: 'production', METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' }, async (server) => {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      expect((await scrapeMetrics(`${metricsPortUrl(server)}/metrics`)).status).toBe(200);
    });
  });

  it('refuses a configuration it cannot use', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_PORT: 'nine' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ METRICS_MAX_OPERATION_NAMES: '0' })).toThrow(/METRICS_MAX_OPERATION_NAMES/);
    expect(loadConfig({}).metrics).toEqual({ port: undefined, host: '0.0.0.0', token: undefined, maxOperationNames: 50 });
  });
});
