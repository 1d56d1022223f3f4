/**
 * The demo chat page at `/demo` (served outside production only; app.ts does not create it
 * in production): the page, its bundled script and style sheet (from dist/demo-page/ after
 * `npm run build`; bundled on the fly by scripts/demo-bundle.mjs when running from src/),
 * and `POST /demo/token`, which signs a development user in. That endpoint exists only
 * while the server uses the development secret, under the same rule as GraphiQL's prefilled
 * token (auth/dev-token.ts). Everything is served by this server under a CSP allowing only
 * this origin; nothing comes from a CDN.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { currentCorrelationId } from '../observability/correlation.ts';
import { readJsonBody } from '../rest/request-input.ts';
import { RestError } from '../rest/rest-error.ts';
import { sendHttpError } from './error-response.ts';
import { escapeHtml } from './graphiql.ts';
import type { HealthHandler } from './health.ts';
import { sendJson } from './send-json.ts';

/** Every path of the demo page starts with this. */
export const DEMO_PATH = '/demo';

/** The page may load from and connect to this origin only (`'self'` covers its ws:// URL). */
export const DEMO_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Who may sign in: a short, plain user id (the demo types it; tokens from elsewhere may carry any `sub`). */
export const DEMO_USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** A sign-in body is `{"userId": "…"}`; anything larger is not one. */
const MAX_SIGN_IN_BYTES = 1024;

export interface DemoPageOptions {
  /** Signs a development token for a user; absent (configured JWT key): no sign-in endpoint, the page asks for a token. */
  mintToken?: (userId: string) => Promise<string>;
}

interface DemoAssets {
  js: string;
  css: string;
}

/** dist/demo-page/ seen from dist/src/http/; from src/http/ this folder does not exist. */
const PREBUILT = new URL('../../demo-page/', import.meta.url);
/** The bundler, only reachable from a checkout (src/http/ → scripts/). */
const BUNDLER = new URL('../../scripts/demo-bundle.mjs', import.meta.url);

let prebuilt: DemoAssets | undefined;

/**
 * The built assets, read once; running from src/ they are bundled afresh on each page load,
 * so `npm run dev` shows client edits without a restart.
 */
async function bundleAssets(): Promise<DemoAssets> {
  if (prebuilt) return prebuilt;
  const js = fileURLToPath(new URL('app.js', PREBUILT));
  if (existsSync(js)) {
    prebuilt = { js: readFileSync(js, 'utf8'), css: readFileSync(fileURLToPath(new URL('app.css', PREBUILT)), 'utf8') };
    return prebuilt;
  }
  const bundler = (await import(BUNDLER.href)) as { bundleDemoPage(): Promise<DemoAssets> };
  return bundler.bundleDemoPage();
}

/** Returns the handler: true when it answered the request (a /demo path), false for every other path. */
export function createDemoPage(options: DemoPageOptions): HealthHandler {
  let assets: Promise<DemoAssets> | undefined;
  const html = renderPage(options.mintToken !== undefined);

  function currentAssets(fresh: boolean): Promise<DemoAssets> {
    if (fresh || !assets) {
      const pending = bundleAssets();
      assets = pending;
      // A failed bundle is retried by the next request, not remembered.
      pending.catch(() => {
        if (assets === pending) assets = undefined;
      });
    }
    return assets;
  }

  async function serveAsset(req: IncomingMessage, res: ServerResponse, kind: keyof DemoAssets): Promise<void> {
    const body = (await currentAssets(false))[kind];
    res.writeHead(200, {
      'content-type': kind === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function signIn(req: IncomingMessage, res: ServerResponse, mintToken: (userId: string) => Promise<string>): Promise<void> {
    let userId: unknown;
    try {
      userId = (await readJsonBody(req, MAX_SIGN_IN_BYTES)).userId;
    } catch (error) {
      if (!(error instanceof RestError)) throw error;
      sendHttpError(res, error.code, error.message, { correlationId: currentCorrelationId(), rest: false });
      return;
    }
    if (typeof userId !== 'string' || !DEMO_USER_ID.test(userId)) {
      const message = 'userId must be 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit';
      sendHttpError(res, 'BAD_USER_INPUT', message, { correlationId: currentCorrelationId(), rest: false });
      return;
    }
    sendJson(res, 200, { userId, token: await mintToken(userId) });
  }

  return async (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path !== DEMO_PATH && !path.startsWith(`${DEMO_PATH}/`)) return false;
    const readOnly = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/demo/token' && options.mintToken) {
      if (req.method === 'POST') await signIn(req, res, options.mintToken);
      else
        sendHttpError(res, 'METHOD_NOT_ALLOWED', 'Sign in with POST /demo/token {"userId": "…"}', {
          correlationId: currentCorrelationId(),
          rest: false,
        });
      return true;
    }
    if (!readOnly) return false;
    if (path === DEMO_PATH || path === `${DEMO_PATH}/`) {
      // Running from src/, each page load bundles the client afresh (and the assets follow it).
      await currentAssets(prebuilt === undefined);
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': DEMO_CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : html);
      return true;
    }
    if (path === '/demo/app.js' || path === '/demo/app.css') {
      await serveAsset(req, res, path.endsWith('.js') ? 'js' : 'css');
      return true;
    }
    return false;
  };
}

function renderPage(devSignIn: boolean): string {
  const title = escapeHtml('Chat demo');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="stylesheet" href="/demo/app.css" />
    <script src="/demo/app.js" defer></script>
  </head>
  <body data-dev-sign-in="${devSignIn}">
    <noscript>The chat demo needs JavaScript.</noscript>
    <div id="app"></div>
  </body>
</html>
`;
}
