import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Members never download the admin console: it must be reachable from the workspace only
// through import(), which the bundler turns into a chunk of its own. Walks static imports
// as the bundler does (type-only imports are erased); `npx vite build` shows the chunk.
const SRC = resolve(__dirname, '../../../../src/client');
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /import\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveModule(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return ['', '.ts', '.tsx', '/index.ts', '/index.tsx']
    .map((ext) => base + ext)
    .find((p) => existsSync(p) && /\.(ts|tsx)$/.test(p));
}

function staticGraph(entry: string): Set<string> {
  const files = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop();
    if (!file || files.has(file)) continue;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (!specifier?.startsWith('.')) continue;
      const target = resolveModule(file, specifier);
      if (target) pending.push(target);
    }
  }
  return files;
}

describe('admin console bundle', () => {
  const workspace = staticGraph(resolve(SRC, 'app/workspace.tsx'));

  it('is not in the workspace’s static import graph', () => {
    expect(workspace.has(resolve(SRC, 'app/shell.tsx'))).toBe(true); // the walk works
    expect([...workspace].filter((f) => f.includes('/features/admin/'))).toEqual([]);
  });

  it('is imported lazily by the shell’s admin view', () => {
    const adminView = resolve(SRC, 'app/admin-view.tsx');
    expect(workspace.has(adminView)).toBe(true);
    const lazy = [...readFileSync(adminView, 'utf8').matchAll(DYNAMIC_IMPORT)].map(([, s]) =>
      s ? resolveModule(adminView, s) : undefined,
    );
    expect(lazy).toEqual([resolve(SRC, 'features/admin/components/admin-console.tsx')]);
  });
});
