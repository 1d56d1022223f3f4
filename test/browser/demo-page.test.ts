/**
 * The demo page over plain HTTP: what /demo serves and under which CSP, the development
 * sign-in (only with the development secret, never in production), the page's GraphQL
 * documents against the schema, and the bundle `npm run build` puts into dist/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, validate } from 'graphql';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as documents from '../../src/demo/client/documents.ts';
import { DEV_SECRET_FILE } from '../../src/auth/signing-secret.ts';
import { schema } from '../../src/schema/index.ts';
import { ensureBuilt, repoRoot } from '../support/build.ts';
import { startCommand, waitForReady } from '../support/command.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { freePort } from '../support/ports.ts';
import { type TestServer, useTestServer } from '../support/server.ts';

interface SignIn {
  status: number;
  body: { userId?: string; token?: string; errors?: { message: string; extensions: { code: string; correlationId: string } }[] };
}

async function signIn(server: TestServer | string, body: string): Promise<SignIn> {
  const base = typeof server === 'string' ? server : server.url;
  const response = await fetch(`${base}/demo/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, body: (await response.json()) as SignIn['body'] };
}

describe('the demo page with the development secret', () => {
  const server = useTestServer({ JWT_SECRET: '' });

  it('serves a page that loads only its own script and style sheet, under a same-origin CSP', async () => {
    const response = await fetch(`${server().url}/demo`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'; style-src 'self'/);
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('data-dev-sign-in="true"');
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets.sort()).toEqual(['/demo/app.css', '/demo/app.js']);
    for (const [path, type] of [
      ['/demo/app.js', 'text/javascript; charset=utf-8'],
      ['/demo/app.css', 'text/css; charset=utf-8'],
    ] as const) {
      const asset = await fetch(`${server().url}${path}`);
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('content-type'), path).toBe(type);
      const text = await asset.text();
      expect(text.length, path).toBeGreaterThan(1000);
    }
    expect((await fetch(`${server().url}/demo/nope.js`)).status).toBe(404);
  });

  it('signs a development user in with a one-hour token the API accepts', async () => {
    const { status, body } = await signIn(server(), JSON.stringify({ userId: 'alice' }));
    expect(status).toBe(200);
    expect(body.userId).toBe('alice');
    const secret = readFileSync(join(server().env.DATA_DIR ?? '', DEV_SECRET_FILE), 'utf8').trim();
    const { payload } = await jwtVerify(body.token ?? '', new TextEncoder().encode(secret));
    expect(payload.sub).toBe('alice');
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    expect(payload.scope).toBeUndefined();
    const created = await graphql<{ createSession: { ownerId: string } }>(
      server().graphqlUrl,
      'mutation { createSession(input: { title: "from the demo" }) { ownerId } }',
      {},
      { token: body.token },
    );
    expect(dataOf(created)).toEqual({ createSession: { ownerId: 'alice' } });
  });

  it('refuses a user id that is not a short plain name, and a body that is not JSON, with a coded error', async () => {
    for (const userId of ['', ' alice', 'a'.repeat(65), 'al ice', '<script>', 'alice\u0000', 42, null]) {
      const { status, body } = await signIn(server(), JSON.stringify({ userId }));
      expect(status, JSON.stringify(userId)).toBe(400);
      expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.extensions.correlationId).toMatch(/.{8,}/);
      expect(body.token).toBeUndefined();
    }
    const notJson = await signIn(server(), '{"userId": ');
    expect(notJson.status).toBe(400);
    expect(notJson.body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    const tooLarge = await signIn(server(), JSON.stringify({ userId: 'alice', padding: 'x'.repeat(2000) }));
    expect(tooLarge.status).toBe(413);
    const get = await fetch(`${server().url}/demo/token`);
    expect(get.status).toBe(405);
    expect(((await get.json()) as SignIn['body']).errors?.[0]?.extensions.code).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('the demo page with a configured JWT_SECRET', () => {
  const server = useTestServer({});

  it('serves the page, which then asks for a token, and mints none', async () => {
    const html = await (await fetch(`${server().url}/demo`)).text();
    expect(html).toContain('data-dev-sign-in="false"');
    const { status, body } = await signIn(server(), JSON.stringify({ userId: 'alice' }));
    expect(status).toBe(404);
    expect(body.token).toBeUndefined();
  });
});

describe('the demo page in production', () => {
  const server = useTestServer({ NODE_ENV: 'production' });

  it('is not served at all: page, assets and sign-in answer 404', async () => {
    for (const path of ['/demo', '/demo/app.js', '/demo/app.css']) {
      const response = await fetch(`${server().url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/(graphql-response\+)?json/);
    }
    const { status, body } = await signIn(server(), JSON.stringify({ userId: 'alice' }));
    expect(status).toBe(404);
    expect(body.token).toBeUndefined();
  });
});

describe("the demo page's GraphQL documents", () => {
  it('are valid against the schema', () => {
    const found: [string, string][] = Object.entries(documents as Record<string, unknown>).flatMap(([name, value]) =>
      typeof value === 'string' ? [[name, value] as [string, string]] : [],
    );
    expect(found.length).toBeGreaterThanOrEqual(8);
    for (const [name, document] of found) expect(validate(schema, parse(document)), name).toEqual([]);
  });
});

describe('the demo page of the compiled server (npm run build)', () => {
  let dataDir: string;
  beforeAll(() => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'chat-demo-dist-'));
  }, 180_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves the bundle built into dist/demo-page', async () => {
    const built = readFileSync(join(repoRoot, 'dist/demo-page/app.js'), 'utf8');
    const port = await freePort();
    const running = startCommand(process.execPath, ['dist/src/main.js'], {
      cwd: repoRoot,
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: `file:${join(dataDir, 'chat.db')}`,
        LOG_LEVEL: 'warn',
      },
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForReady(url, 60_000);
      expect((await fetch(`${url}/demo`)).status).toBe(200);
      expect(await (await fetch(`${url}/demo/app.js`)).text()).toBe(built);
      expect((await signIn(url, JSON.stringify({ userId: 'alice' }))).status).toBe(200);
    } finally {
      running.child.kill('SIGTERM');
      await running.exited;
    }
  });
});
