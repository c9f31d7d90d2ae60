import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Manifest } from 'vite';
import { saveResult } from './lib/results';
import { formatNumber, printTable } from './lib/table';

// Target 6 of issue 6: the JavaScript (and CSS) each kind of user downloads, gzip. Builds
// the app as `npm run build` does, into a temp dir, and follows the manifest's chunk graph:
// the sign-in page is the entry with its static imports; a member adds the lazily loaded
// workspace; an admin adds the console on top.

const TARGET_SIGN_IN_KB = 90;
const TARGET_MEMBER_KB = 200;

const outDir = await mkdtemp(path.join(tmpdir(), 'switchboard-bundle-'));
try {
  await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true, manifest: true } });
  const manifest = JSON.parse(
    readFileSync(path.join(outDir, '.vite', 'manifest.json'), 'utf8'),
  ) as Manifest;

  const gzipKb = (file: string) =>
    gzipSync(readFileSync(path.join(outDir, file)), { level: 9 }).length / 1_000;
  /** The files a chunk brings with it: itself, its CSS and its static imports, deeply. */
  const closure = (key: string, into = new Set<string>()): Set<string> => {
    const chunk = manifest[key];
    if (!chunk || into.has(chunk.file)) return into;
    into.add(chunk.file);
    for (const css of chunk.css ?? []) into.add(css);
    for (const imported of chunk.imports ?? []) closure(imported, into);
    return into;
  };
  const keyOf = (suffix: string) => {
    const key = Object.keys(manifest).find((k) => k.endsWith(suffix));
    if (!key) throw new Error(`no chunk for ${suffix} in the manifest`);
    return key;
  };

  const signIn = closure(keyOf('index.html'));
  const member = closure(keyOf('app/workspace.tsx'), new Set(signIn));
  const admin = closure(keyOf('admin/components/admin-console.tsx'), new Set(member));
  const total = (files: Set<string>) => [...files].reduce((sum, file) => sum + gzipKb(file), 0);
  const rows = [
    { who: 'sign-in page', kb: total(signIn), targetKb: TARGET_SIGN_IN_KB },
    { who: 'member (whole app)', kb: total(member), targetKb: TARGET_MEMBER_KB },
    { who: 'admin (with console)', kb: total(admin), targetKb: null },
  ];
  printTable(
    'JavaScript and CSS downloaded, gzip -9',
    ['who', 'KB gzip', 'target KB', 'met?'],
    rows.map(({ who, kb, targetKb }) => [
      who,
      formatNumber(kb, 1),
      targetKb,
      targetKb === null ? '—' : kb <= targetKb ? 'yes' : 'no',
    ]),
  );
  saveResult('bundle-size', rows, { gzipLevel: 9 });
} finally {
  await rm(outDir, { recursive: true, force: true });
}
