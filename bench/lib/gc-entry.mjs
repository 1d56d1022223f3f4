/**
 * `node --expose-gc bench/lib/gc-entry.mjs <entry> [args…]`: runs <entry> (the compiled chat
 * server, or a baseline) in this process, and answers the benchmark over the IPC channel:
 *  - `{ type: 'gc' }`            → runs a full garbage collection, replies `{ type: 'gc-done' }`
 *  - `{ type: 'profile-start' }` → starts the V8 CPU profiler, replies `{ type: 'profile-started' }`
 *  - `{ type: 'profile-stop', file }` → writes the profile to `file`, replies `{ type: 'profile-written', file }`
 *  - `{ type: 'heap-snapshot', file }` → writes a heap snapshot to `file`, replies `{ type: 'heap-snapshot-written', file }`
 * so RSS can be read after a forced GC and the send path profiled at steady state without
 * adding anything to src/. Plain JavaScript: the production server runs on node without tsx.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node --expose-gc bench/lib/gc-entry.mjs <entry> [args…]');
  process.exit(2);
}

let session = null;
const post = (method, params) =>
  new Promise((done, fail) => session.post(method, params ?? {}, (error, result) => (error ? fail(error) : done(result))));

async function handle(message) {
  if (message?.type === 'gc') {
    if (typeof globalThis.gc !== 'function') throw new Error('gc() is not exposed: start with --expose-gc');
    // Twice: the first pass runs finalizers whose garbage the second collects.
    globalThis.gc();
    globalThis.gc();
    return { type: 'gc-done' };
  }
  if (message?.type === 'profile-start') {
    session = new Session();
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 500 });
    await post('Profiler.start');
    return { type: 'profile-started' };
  }
  if (message?.type === 'profile-stop') {
    if (!session) throw new Error('the profiler was not started');
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    session = null;
    writeFileSync(message.file, JSON.stringify(profile));
    return { type: 'profile-written', file: message.file };
  }
  if (message?.type === 'heap-snapshot') {
    writeHeapSnapshot(message.file);
    return { type: 'heap-snapshot-written', file: message.file };
  }
  return null;
}

if (process.send) {
  process.on('message', (message) => {
    handle(message).then(
      (reply) => reply && process.send?.(reply),
      (error) => process.send?.({ type: 'error', message: String(error) }),
    );
  });
  // The channel must not keep a server alive that wants to exit on its own.
  process.channel?.unref();
}

const target = resolve(entry);
process.argv = [process.argv[0] ?? process.execPath, target, ...args];
await import(pathToFileURL(target).href);
