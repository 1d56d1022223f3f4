/**
 * Diagnostic: compares two V8 heap snapshots (bench/heap-probe.ts writes them) object by
 * object kind, per unit of `--per` (e.g. the connections opened between them).
 *   node --max-old-space-size=8000 bench/heap-diff.mjs a.heapsnapshot b.heapsnapshot --per 2000 [--top 60] [--retainers KEY]
 * KEY is a row's kind as printed (e.g. "closure:receive"); --retainers prints what holds the new ones.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { per: { type: 'string', default: '1' }, top: { type: 'string', default: '60' }, retainers: { type: 'string', multiple: true } },
});
const per = Number(values.per);

function load(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const meta = snap.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const types = meta.node_fields.indexOf('type');
  const nameAt = meta.node_fields.indexOf('name');
  const sizeAt = meta.node_fields.indexOf('self_size');
  const edgeCountAt = meta.node_fields.indexOf('edge_count');
  const idAt = meta.node_fields.indexOf('id');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const edgeTypeAt = meta.edge_fields.indexOf('type');
  const edgeNameAt = meta.edge_fields.indexOf('name_or_index');
  const edgeToAt = meta.edge_fields.indexOf('to_node');
  const { nodes, edges, strings } = snap;
  const count = nodes.length / nf;
  const kind = new Array(count);
  const ids = new Float64Array(count);
  const sizes = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const t = nodeTypes[nodes[i * nf + types]];
    let name = strings[nodes[i * nf + nameAt]];
    if (t === 'string' || t === 'concatenated string' || t === 'sliced string') name = '';
    if (t === 'number') name = '';
    if (name.length > 80) name = `${name.slice(0, 80)}…`;
    kind[i] = `${t}:${name}`;
    ids[i] = nodes[i * nf + idAt];
    sizes[i] = nodes[i * nf + sizeAt];
  }
  // Retainers: for each node, the (kind, edge name) of nodes pointing at it (first few).
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e;
    e += nodes[i * nf + edgeCountAt] * ef;
  }
  firstEdge[count] = edges.length;
  refineKinds({ kind, count, edges, strings, nf, ef, firstEdge, edgeTypes, edgeTypeAt, edgeNameAt, edgeToAt, snap });
  return { kind, ids, sizes, count, nodes, edges, strings, nf, ef, firstEdge, edgeTypes, edgeTypeAt, edgeNameAt, edgeToAt };
}

function aggregate(s) {
  const by = new Map();
  for (let i = 0; i < s.count; i++) {
    const row = by.get(s.kind[i]) ?? { n: 0, bytes: 0 };
    row.n += 1;
    row.bytes += s.sizes[i];
    by.set(s.kind[i], row);
  }
  return by;
}

const [fileA, fileB] = positionals;
const a = load(fileA);
const aggA = aggregate(a);
const idsA = new Set(a.ids);
const b = load(fileB);
const aggB = aggregate(b);
const rows = [];
for (const [key, rowB] of aggB) {
  const rowA = aggA.get(key) ?? { n: 0, bytes: 0 };
  rows.push({ key, n: (rowB.n - rowA.n) / per, bytes: (rowB.bytes - rowA.bytes) / per });
}
rows.sort((x, y) => y.bytes - x.bytes);
let total = 0;
for (const r of rows) total += r.bytes;
console.log(`total self size per unit: ${total.toFixed(0)} B (A ${a.count} nodes, B ${b.count} nodes)`);
for (const r of rows.slice(0, Number(values.top))) {
  console.log(`${r.bytes.toFixed(1).padStart(9)} B ${r.n.toFixed(2).padStart(7)}×  ${r.key}`);
}

for (const key of values.retainers ?? []) {
  const hist = new Map();
  for (let i = 0; i < b.count; i++) {
    for (let e = b.firstEdge[i]; e < b.firstEdge[i + 1]; e += b.ef) {
      const to = b.edges[e + b.edgeToAt] / b.nf;
      if (b.kind[to] !== key || idsA.has(b.ids[to])) continue;
      const et = b.edgeTypes[b.edges[e + b.edgeTypeAt]];
      const en = et === 'element' || et === 'hidden' ? `[${et}]` : b.strings[b.edges[e + b.edgeNameAt]];
      const label = `${b.kind[i]} --${en}-->`;
      hist.set(label, (hist.get(label) ?? 0) + 1);
    }
  }
  console.log(`\nretainers of new ${key} (per unit):`);
  for (const [label, n] of [...hist].sort((x, y) => y[1] - x[1]).slice(0, 25)) console.log(`${(n / per).toFixed(2).padStart(8)}  ${label}`);
}

/**
 * Closures get their source location (`closure:name@file:line`), closure contexts the location
 * of a closure using them, plain objects their property names: "closure:" alone says nothing.
 */
function refineKinds(s) {
  const { kind, count, edges, strings, nf, ef, firstEdge, edgeTypes, edgeTypeAt, edgeNameAt, edgeToAt, snap } = s;
  const lf = snap.snapshot.meta.location_fields.length;
  const where = new Map();
  for (let i = 0; i < snap.locations.length; i += lf) {
    where.set(snap.locations[i] / nf, `${snap.locations[i + 2] + 1}:${snap.locations[i + 3] + 1}`);
  }
  const edgeName = (e) => {
    const t = edgeTypes[edges[e + edgeTypeAt]];
    return t === 'element' || t === 'hidden' ? null : strings[edges[e + edgeNameAt]];
  };
  const target = (i, name) => {
    for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += ef) if (edgeName(e) === name) return edges[e + edgeToAt] / nf;
    return -1;
  };
  const contextOf = new Map();
  for (let i = 0; i < count; i++) {
    if (!kind[i].startsWith('closure:')) continue;
    const shared = target(i, 'shared');
    const script = shared >= 0 ? target(shared, 'script_or_debug_info') : -1;
    const file = script >= 0 ? kind[script].replace(/^code:/, '').replace(/^.*\/(src|node_modules)\//, '$1/') : '?';
    kind[i] = `${kind[i]}@${file}:${where.get(i) ?? '?'}`;
    const context = target(i, 'context');
    if (context >= 0 && !contextOf.has(context)) contextOf.set(context, kind[i]);
  }
  for (const [context, closure] of contextOf) if (kind[context] === 'object:system / Context') kind[context] = `context of ${closure}`;
  for (let i = 0; i < count; i++) {
    if (kind[i] !== 'object:Object') continue;
    const names = [];
    for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += ef) {
      const name = edgeName(e);
      if (name && name !== '__proto__' && name !== 'map' && edgeTypes[edges[e + edgeTypeAt]] === 'property') names.push(name);
    }
    kind[i] = `object:{${names.slice(0, 8).join(',')}${names.length > 8 ? ',…' : ''}}`;
  }
}
