import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The sign-in page must stay small: mqtt.js (≈78 KB gz) and zod arrive only with the
// lazily imported workspace. Walk the static import graph from the entry point the way
// the bundler does (type-only imports are erased, dynamic import() starts a new chunk).
const ENTRY = resolve(__dirname, '../../../src/client/main.tsx');
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop();
    if (!file || files.has(file)) continue;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (!specifier) continue;
      if (!specifier.startsWith('.')) {
        packages.add(specifier);
        continue;
      }
      const base = resolve(dirname(file), specifier);
      const target = ['', '.ts', '.tsx', '/index.ts', '/index.tsx']
        .map((ext) => base + ext)
        .find((p) => existsSync(p) && !p.endsWith('/'));
      if (target && /\.(ts|tsx)$/.test(target)) pending.push(target);
    }
  }
  return { files, packages };
}

describe('initial bundle', () => {
  const { files, packages } = staticGraph(ENTRY);

  it('reaches the sign-in page', () => {
    expect([...files].some((f) => f.endsWith('sign-in-page.tsx'))).toBe(true);
  });

  it('does not pull in mqtt, zod or the workspace statically', () => {
    expect(packages).not.toContain('mqtt');
    expect(packages).not.toContain('zod');
    expect(
      [...files].filter((f) => f.includes('/lib/mqtt/') || f.endsWith('workspace.tsx')),
    ).toEqual([]);
  });
});
