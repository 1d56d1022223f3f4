/**
 * The GraphiQL page over plain HTTP: what it prefills (a development token only with the
 * development secret outside production, a placeholder otherwise), that every asset it
 * names is served by this server, and that nothing is served with GraphiQL off.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, validate } from 'graphql';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { GRAPHIQL_DEV_USER, graphiqlDevTokenMinter } from '../../src/auth/dev-token.ts';
import { DEV_SECRET_FILE } from '../../src/auth/signing-secret.ts';
import { loadConfig } from '../../src/config.ts';
import { PLACEHOLDER_AUTHORIZATION } from '../../src/graphql/graphiql-options.ts';
import { schema } from '../../src/schema/index.ts';
import { type TestServer, useTestServer } from '../support/server.ts';

interface PageOptions {
  headers: string;
  defaultTabs: { query: string; variables?: string; headers?: string }[];
  subscriptionsProtocol: string;
}

interface GraphiQLPage {
  response: Response;
  html: string;
  options: PageOptions;
}

async function openPage(server: TestServer): Promise<GraphiQLPage> {
  const response = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
  const html = await response.text();
  const json = /<script type="application\/json" id="graphiql-options">([^<]*)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error(`no GraphiQL options in the page (status ${response.status}): ${html.slice(0, 300)}`);
  return { response, html, options: JSON.parse(json) as PageOptions };
}

function authorizationOf(options: PageOptions): string {
  return (JSON.parse(options.headers) as { Authorization: string }).Authorization;
}

describe('GraphiQL with the development secret (no JWT key configured)', () => {
  const server = useTestServer({ JWT_SECRET: '' });

  it('prefills a fresh one-hour token for dev-user, signed with DATA_DIR/dev-jwt-secret', async () => {
    const { options } = await openPage(server());
    const token = authorizationOf(options).replace(/^Bearer /, '');
    const secret = readFileSync(join(server().env.DATA_DIR ?? '', DEV_SECRET_FILE), 'utf8').trim();
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret));
    expect(payload.sub).toBe(GRAPHIQL_DEV_USER);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    for (const tab of options.defaultTabs) expect(tab.headers).toBe(options.headers);
  });

  it('opens with tabs for createSession, messageReceived and sendMessage that are valid against the schema', async () => {
    const { options } = await openPage(server());
    const queries = options.defaultTabs.map((tab) => tab.query);
    expect(queries.join('\n')).toMatch(/mutation CreateSession[\s\S]*subscription MessageReceived[\s\S]*mutation SendMessage/);
    for (const query of queries) expect(validate(schema, parse(query))).toEqual([]);
    expect(options.subscriptionsProtocol).toBe('SSE');
  });

  it('names only assets of this server, each served with its type and cached immutably', async () => {
    const { response, html } = await openPage(server());
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(html).not.toMatch(/https?:\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(assets.length).toBe(4);
    for (const path of assets) {
      expect(path).toMatch(/^\/graphiql\/[0-9a-f]{16}\//);
      const asset = await fetch(`${server().url}${path}`);
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('content-type'), path).toMatch(/^(text\/javascript|text\/css|image\/x-icon)/);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    const missing = await fetch(`${server().url}${assets[0]?.replace(/[^/]+$/, 'nope.js')}`);
    expect(missing.status).toBe(404);
  });
});

describe('GraphiQL with a configured JWT_SECRET', () => {
  const server = useTestServer({});

  it('prefills a placeholder, never a token', async () => {
    const { html, options } = await openPage(server());
    expect(authorizationOf(options)).toBe(PLACEHOLDER_AUTHORIZATION);
    expect(html).not.toMatch(/eyJ/);
  });
});

describe('GraphiQL with JWT_JWKS_URL', () => {
  const server = useTestServer({ JWT_SECRET: '', JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json' });

  it('prefills a placeholder, never a token', async () => {
    const { html, options } = await openPage(server());
    expect(authorizationOf(options)).toBe(PLACEHOLDER_AUTHORIZATION);
    expect(html).not.toMatch(/eyJ/);
  });
});

describe('GraphiQL in production, turned on with GRAPHIQL=true', () => {
  const server = useTestServer({ NODE_ENV: 'production', GRAPHIQL: 'true', GRAPHQL_INTROSPECTION: 'true' });

  it('prefills a placeholder, never a token', async () => {
    const { html, options } = await openPage(server());
    expect(authorizationOf(options)).toBe(PLACEHOLDER_AUTHORIZATION);
    expect(html).not.toMatch(/eyJ/);
  });

  it('mints no development token in production even with a development secret at hand', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) });
    expect(graphiqlDevTokenMinter(config, { secret: 'dev', devSecretPath: '/data/dev-jwt-secret', created: false })).toBeUndefined();
    const development = loadConfig({});
    expect(graphiqlDevTokenMinter(development, { secret: 'configured', created: false })).toBeUndefined();
    expect(graphiqlDevTokenMinter(development, { secret: 'dev', devSecretPath: '/data/dev-jwt-secret', created: false })).toBeTypeOf(
      'function',
    );
  });
});

describe('GraphiQL off (GRAPHIQL=false)', () => {
  const on = useTestServer({});
  const off = useTestServer({ GRAPHIQL: 'false' });

  it('serves neither the page nor its assets', async () => {
    const { html } = await openPage(on());
    const script = /src="([^"]+graphiql\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${on().url}${script}`)).status).toBe(200);

    const page = await fetch(off().graphqlUrl, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect((await fetch(`${off().url}${script}`)).status).toBe(404);
  });
});
