/**
 * Preloaded with NODE_OPTIONS=--import=<this file> and MODULE_PROBE_FILE=<path>: records
 * every module the process loads (ESM resolutions through a loader hook, CommonJS through
 * require.cache) and writes the list as JSON to MODULE_PROBE_FILE when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const file = process.env.MODULE_PROBE_FILE;
if (file) {
  const loaded = new Set();
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (url) => loaded.add(url));
  port1.unref();
  const hooks = `
    let port;
    export function initialize(data) { port = data.port; }
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      port.postMessage(result.url);
      return result;
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    for (const key of Object.keys(cache)) loaded.add(key);
    writeFileSync(file, JSON.stringify([...loaded]));
  });
}
