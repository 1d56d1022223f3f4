/**
 * GraphiQL without a CDN. The page, its script, style sheet, editor workers and icon come
 * from this server, read from the installed @graphql-yoga/render-graphiql (the same build
 * Yoga would fetch from unpkg). They are loaded on first use, so a server with GraphiQL off
 * never reads the 9 MB. Asset URLs carry a hash of the contents and are cached immutably.
 * The page runs no inline script and is served with a CSP that allows only this origin.
 */
import { createHash } from 'node:crypto';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

/** Every GraphiQL asset is served below this path: `/graphiql/<content hash>/<file>`. */
export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

/** The page may load and connect to this origin only; Monaco injects its own <style> elements. */
export const GRAPHIQL_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
}

interface GraphiQLAssets {
  /** `/graphiql/<hash>/` */
  base: string;
  files: Map<string, Asset>;
}

const JAVASCRIPT = 'text/javascript; charset=utf-8';

/** Sets Monaco's worker URLs (same origin) and renders GraphiQL with the page's JSON options once the bundle has run. */
const BOOT_SCRIPT = `(function () {
  var base = document.currentScript.src.replace(/boot\\.js$/, '');
  var workers = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (moduleId, label) { return base + (workers[label] || workers.editorWorkerService); },
  };
  document.addEventListener('DOMContentLoaded', function () {
    var options = JSON.parse(document.getElementById('graphiql-options').textContent);
    YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
  });
})();
`;

let loading: Promise<GraphiQLAssets> | undefined;

function loadAssets(): Promise<GraphiQLAssets> {
  loading ??= import('@graphql-yoga/render-graphiql/graphiql').then(
    (bundle) => {
      const favicon = bundle.favicon.replace(/^data:[^,]*;base64,/, '');
      const text = (body: string, contentType: string): Asset => ({ body: new TextEncoder().encode(body), contentType });
      const files = new Map<string, Asset>([
        ['boot.js', text(BOOT_SCRIPT, JAVASCRIPT)],
        ['graphiql.js', text(bundle.js, JAVASCRIPT)],
        ['graphiql.css', text(bundle.css, 'text/css; charset=utf-8')],
        ['editor.worker.js', text(bundle.editorWorkerService, JAVASCRIPT)],
        ['json.worker.js', text(bundle.jsonWorker, JAVASCRIPT)],
        ['graphql.worker.js', text(bundle.graphqlWorker, JAVASCRIPT)],
        ['favicon.ico', { body: new Uint8Array(Buffer.from(favicon, 'base64')), contentType: 'image/x-icon' }],
      ]);
      const hash = createHash('sha256');
      for (const [name, asset] of files) hash.update(name).update(asset.body);
      return { base: `${GRAPHIQL_ASSET_PREFIX}${hash.digest('hex').slice(0, 16)}/`, files };
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** Yoga's `renderGraphiQL`: a page that loads everything from this server. */
export async function renderOfflineGraphiQL(options: GraphiQLOptions): Promise<string> {
  const { base } = await loadAssets();
  const title = escapeHtml(options.title ?? 'GraphiQL');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="icon" href="${base}favicon.ico" />
    <link rel="stylesheet" href="${base}graphiql.css" />
    <script type="application/json" id="graphiql-options">${jsonInScript(options)}</script>
    <script src="${base}boot.js"></script>
    <script src="${base}graphiql.js"></script>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root">Loading ${title}…</div>
  </body>
</html>
`;
}

/** Serves the assets below GRAPHIQL_ASSET_PREFIX and puts the CSP on the GraphiQL page. */
export function serveGraphiQLAssets(): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSET_PREFIX)) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      return loadAssets().then(({ base, files }) => {
        const asset = url.pathname.startsWith(base) ? files.get(url.pathname.slice(base.length)) : undefined;
        if (!asset) return;
        endResponse(
          new fetchAPI.Response(request.method === 'HEAD' ? null : asset.body, {
            status: 200,
            headers: {
              'content-type': asset.contentType,
              'content-length': String(asset.body.byteLength),
              'cache-control': 'public, max-age=31536000, immutable',
              'x-content-type-options': 'nosniff',
            },
          }),
        );
      });
    },
    onResponse({ request, response }) {
      if (request.method === 'GET' && response.headers.get('content-type')?.startsWith('text/html')) {
        response.headers.set('content-security-policy', GRAPHIQL_CONTENT_SECURITY_POLICY);
        response.headers.set('x-content-type-options', 'nosniff');
      }
    },
  };
}

/** JSON that cannot end its <script> element early. */
function jsonInScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Text safe to put into HTML content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
