import { readFileSync } from 'node:fs';

// Compares two V8 heap snapshots (before/after opening N connections): which kinds of
// objects grew, in bytes per connection. Usage:
//   node --import tsx bench/heap-summary.ts <before.heapsnapshot> <after.heapsnapshot> <N>

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

const TOP = 30;

function sizesByName(file: string): Map<string, { bytes: number; count: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const totals = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += stride) {
    const type = types[snap.nodes[i + typeAt] ?? 0] ?? '?';
    const name =
      type === 'object' || type === 'closure'
        ? snap.strings[snap.nodes[i + nameAt] ?? 0]
        : `(${type})`;
    const key = type === 'closure' ? `closure ${name}` : (name ?? '?');
    const entry = totals.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += snap.nodes[i + sizeAt] ?? 0;
    entry.count += 1;
    totals.set(key, entry);
  }
  return totals;
}

const [beforeFile, afterFile, countArg] = process.argv.slice(2);
if (!beforeFile || !afterFile || !countArg) {
  console.error('usage: heap-summary <before> <after> <connections>');
  process.exit(2);
}
const n = Number(countArg);
const before = sizesByName(beforeFile);
const after = sizesByName(afterFile);
const growth = [...after].map(([name, a]) => {
  const b = before.get(name) ?? { bytes: 0, count: 0 };
  return { name, bytes: (a.bytes - b.bytes) / n, count: (a.count - b.count) / n };
});
const total = growth.reduce((sum, g) => sum + g.bytes, 0);
console.log(`heap growth per connection: ${(total / 1_024).toFixed(1)} KiB\n`);
for (const g of growth.sort((x, y) => y.bytes - x.bytes).slice(0, TOP)) {
  console.log(
    `${g.bytes.toFixed(0).padStart(7)} B  ${g.count.toFixed(2).padStart(6)} ×  ${g.name}`,
  );
}
