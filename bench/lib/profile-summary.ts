/**
 * `npx tsx bench/lib/profile-summary.ts <file.cpuprofile> [--top 15] [--skip <s>] [--inclusive]`:
 * the functions with the most self time in a V8 CPU profile (what `node --cpu-prof` writes),
 * grouped by function and location, self time per package, and optionally total time per function.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './processes.ts';
import type { ProfileSummary } from './scenario.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeEntry {
  name: string;
  location: string;
  /** The script's full URL ('' for V8 pseudo-nodes and natives). */
  url: string;
  selfMs: number;
  share: number;
}

/**
 * Self time per function (ms), highest first; idle, GC and program pseudo-nodes included as
 * V8 names them. Samples in the first `skipMs` (start-up, module loading) are left out.
 */
export function selfTimes(profile: CpuProfile, skipMs = 0): SelfTimeEntry[] {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let elapsed = 0;
  for (let i = 0; i < samples.length; i++) {
    elapsed += deltas[i] ?? 0;
    if (elapsed < skipMs * 1000) continue;
    // timeDeltas[i + 1] is the time until the next sample: charge it to this one.
    const next = deltas[i + 1] ?? 0;
    byNode.set(samples[i]!, (byNode.get(samples[i]!) ?? 0) + next);
  }
  const total = [...byNode.values()].reduce((a, b) => a + b, 0) || 1;
  const grouped = new Map<string, SelfTimeEntry>();
  for (const node of profile.nodes) {
    const micros = byNode.get(node.id) ?? 0;
    if (micros === 0) continue;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const location = url ? `${shortUrl(url)}:${lineNumber + 1}:${columnNumber + 1}` : '';
    const key = `${functionName}\u0000${location}`;
    const entry = grouped.get(key) ?? { name: functionName || '(anonymous)', location, url, selfMs: 0, share: 0 };
    entry.selfMs += micros / 1000;
    grouped.set(key, entry);
  }
  const entries = [...grouped.values()];
  for (const entry of entries) entry.share = (entry.selfMs * 1000) / total;
  return entries.sort((a, b) => b.selfMs - a.selfMs);
}

/**
 * Total (inclusive) time per function: each sample is charged once to every distinct
 * function on its stack. Shows which call paths cost the most, where self time is spread thin.
 */
export function inclusiveTimes(profile: CpuProfile, skipMs = 0): SelfTimeEntry[] {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const totals = new Map<string, SelfTimeEntry>();
  let elapsed = 0;
  let all = 0;
  for (let i = 0; i < samples.length; i++) {
    elapsed += deltas[i] ?? 0;
    if (elapsed < skipMs * 1000) continue;
    const micros = deltas[i + 1] ?? 0;
    all += micros;
    const seen = new Set<string>();
    for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
      const { functionName, url, lineNumber, columnNumber } = byId.get(id)!.callFrame;
      const location = url ? `${shortUrl(url)}:${lineNumber + 1}:${columnNumber + 1}` : '';
      const key = `${functionName}\u0000${location}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = totals.get(key) ?? { name: functionName || '(anonymous)', location, url, selfMs: 0, share: 0 };
      entry.selfMs += micros / 1000;
      totals.set(key, entry);
    }
  }
  const entries = [...totals.values()];
  for (const entry of entries) entry.share = (entry.selfMs * 1000) / (all || 1);
  return entries.sort((a, b) => b.selfMs - a.selfMs);
}

/** Self time per npm package (or `app`, `node:` internals, V8 pseudo-nodes). */
export function selfTimeByPackage(entries: SelfTimeEntry[]): { name: string; selfMs: number; share: number }[] {
  const byPackage = new Map<string, { name: string; selfMs: number; share: number }>();
  for (const entry of entries) {
    const name = packageOf(entry);
    const bucket = byPackage.get(name) ?? { name, selfMs: 0, share: 0 };
    bucket.selfMs += entry.selfMs;
    bucket.share += entry.share;
    byPackage.set(name, bucket);
  }
  return [...byPackage.values()].sort((a, b) => b.selfMs - a.selfMs);
}

/** Where a package's time goes in the send path, for RESULTS.md's profile table. */
export function areaOf(packageName: string): string {
  if (packageName === '(garbage collector)') return 'GC';
  if (packageName === '(program)' || packageName === '(native)' || packageName.startsWith('(')) return 'V8 / native (program)';
  if (packageName === 'app: generated prisma client' || packageName.startsWith('@prisma/') || packageName === 'prisma')
    return 'Prisma (client, query interpreter, adapters)';
  if (packageName === 'better-sqlite3' || packageName === 'pg' || packageName.startsWith('pg-'))
    return 'database driver (better-sqlite3 / pg)';
  if (packageName === 'graphql') return 'graphql-js (parse, validate, execute)';
  if (
    packageName === 'graphql-yoga' ||
    packageName.startsWith('@graphql-yoga/') ||
    packageName.startsWith('@envelop/') ||
    packageName.startsWith('@whatwg-node/') ||
    packageName.startsWith('@graphql-tools/') ||
    packageName.startsWith('@escape.tech/')
  )
    return 'Yoga / envelop / whatwg-node / armor';
  if (packageName.startsWith('@pothos/')) return 'Pothos';
  if (packageName === 'graphql-ws' || packageName === 'ws') return 'graphql-ws / ws';
  if (packageName === 'node: internals') return 'node internals (http, net, streams)';
  if (packageName === 'app: src') return 'own code (src/)';
  if (packageName === 'pino' || packageName.startsWith('@opentelemetry/') || packageName === 'prom-client')
    return 'logging / metrics / tracing';
  if (packageName === 'jose') return 'JWT (jose)';
  return 'other packages';
}

/** Self time per profile node id over the whole profile (µs). */
function selfMicrosByNode(profile: CpuProfile): Map<number, number> {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) byNode.set(samples[i]!, (byNode.get(samples[i]!) ?? 0) + (deltas[i + 1] ?? 0));
  return byNode;
}

/**
 * A profile's summary for RESULTS.md: shares of busy time (idle left out) per area, and the
 * `top` hottest functions by self time. A native function without a script (a driver's
 * `run`, `writev`) is charged to the area of the nearest caller that has one, so
 * better-sqlite3's statements count as the driver and a socket write as node internals.
 */
export function summarizeProfile(file: string, title: string, operations: number, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const areaOfNode = (id: number): string => {
    const { functionName, url } = byId.get(id)!.callFrame;
    if (!url && functionName.startsWith('(')) return areaOf(functionName);
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.url) return areaOf(packageOf({ name: frame.functionName, location: '', url: frame.url, selfMs: 0, share: 0 }));
    }
    return areaOf('(native)');
  };
  const areas = new Map<string, number>();
  let busyMicros = 0;
  for (const [id, micros] of selfMicrosByNode(profile)) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    busyMicros += micros;
    const area = areaOfNode(id);
    areas.set(area, (areas.get(area) ?? 0) + micros);
  }
  const busy = selfTimes(profile).filter((e) => e.name !== '(idle)');
  const busyMs = busyMicros / 1000 || 1;
  return {
    title,
    file: relative(repoRoot, file),
    busyMs,
    operations,
    areas: [...areas.entries()].map(([name, micros]) => ({ name, share: micros / 1000 / busyMs })).sort((a, b) => b.share - a.share),
    top: busy.slice(0, top).map((e) => ({ name: e.name, location: e.location, share: e.selfMs / busyMs })),
  };
}

function packageOf(entry: SelfTimeEntry): string {
  const loc = entry.url;
  if (!loc) return entry.name.startsWith('(') ? entry.name : '(native)';
  const modules = loc.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = loc.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (loc.startsWith('node:')) return 'node: internals';
  if (loc.includes('/src/generated/')) return 'app: generated prisma client';
  if (loc.includes('/src/')) return 'app: src';
  return 'other';
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) return path.slice(modules + 'node_modules/'.length);
  const src = path.lastIndexOf('/src/');
  return src >= 0 ? path.slice(src + 1) : path;
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    console.error('usage: npx tsx bench/lib/profile-summary.ts <file.cpuprofile> [--top 15] [--skip <seconds>] [--inclusive]');
    process.exit(2);
  }
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 15;
  const skipIndex = args.indexOf('--skip');
  const skipMs = skipIndex >= 0 ? Number(args[skipIndex + 1]) * 1000 : 0;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const entries = selfTimes(profile, skipMs);
  const totalMs = entries.reduce((sum, e) => sum + e.selfMs, 0);
  console.log(`${file}: ${(totalMs / 1000).toFixed(1)} s sampled`);
  console.log(`\nTop ${top} functions by self time`);
  for (const e of entries.slice(0, top)) {
    console.log(`${e.selfMs.toFixed(0).padStart(8)} ms ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}  ${e.location}`);
  }
  if (args.includes('--inclusive')) {
    console.log(`\nTop ${top * 2} functions by total (inclusive) time`);
    for (const e of inclusiveTimes(profile, skipMs).slice(0, top * 2)) {
      console.log(`${e.selfMs.toFixed(0).padStart(8)} ms ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}  ${e.location}`);
    }
  }
  console.log('\nSelf time by package');
  for (const p of selfTimeByPackage(entries).slice(0, 12)) {
    console.log(`${p.selfMs.toFixed(0).padStart(8)} ms ${(p.share * 100).toFixed(1).padStart(5)}%  ${p.name}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
