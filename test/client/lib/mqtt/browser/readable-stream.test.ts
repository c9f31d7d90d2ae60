import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The browser build gives mqtt.js readable-stream's classes from its own modules,
// without its index (src/client/lib/mqtt/browser/readable-stream.cjs, vite.config.ts).
// These tests fail when a new mqtt.js or readable-stream needs what it leaves out.

const root = process.cwd();
const ENTRY = path.join(root, 'src/client/lib/mqtt/browser/readable-stream.cjs');
const PACKAGE_BROWSER_INDEX = 'readable-stream/lib/ours/browser.js';
const require = createRequire(path.join(root, 'package.json'));
const fromMqtt = createRequire(path.join(root, 'node_modules/mqtt/package.json'));

const entry = require(ENTRY) as Record<string, unknown>;
const packageIndex = require(PACKAGE_BROWSER_INDEX) as Record<string, unknown>;

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => path.join(dir, file));
}

/** Code without its comments, roughly: enough that names in comments are not counted. */
const code = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');

describe('the readable-stream entry of the browser build', () => {
  it('loads the readable-stream mqtt.js depends on', () => {
    expect(path.dirname(require.resolve('readable-stream/package.json'))).toBe(
      path.dirname(fromMqtt.resolve('readable-stream/package.json')),
    );
  });

  it('exports, as the package does, every name mqtt.js takes from readable-stream', () => {
    // bl, the other user, is BufferList alone in the browser build (vite.config.ts).
    const used = new Set<string>();
    for (const file of jsFiles(path.join(root, 'node_modules/mqtt/build/lib'))) {
      for (const [, name] of code(file).matchAll(/\breadable_stream_\d+\.(\w+)/g)) used.add(name!);
    }
    expect([...used].sort()).toEqual(expect.arrayContaining(['Duplex', 'Transform', 'Writable']));
    for (const name of used) {
      expect(entry[name], name).toBeTypeOf('function');
      expect(entry[name], name).toBe(packageIndex[name]);
    }
  });

  it('sets on Stream every static the stream classes read from it', () => {
    // readable.js and writable.js call Stream._isUint8Array and Stream._uint8ArrayToBuffer,
    // which the package's index (lib/stream.js) sets; so must the entry.
    const internals = path.dirname(
      require.resolve('readable-stream/lib/internal/streams/legacy.js'),
    );
    const read = new Set<string>();
    for (const file of jsFiles(internals)) {
      const source = code(file);
      if (
        !/\bStream\b[^;\n]*=\s*require\('\.\/legacy'\)|\{ Stream\b[^}]*\}\s*=\s*require\('\.\/legacy'\)/.test(
          source,
        )
      ) {
        continue;
      }
      for (const [, name] of source.matchAll(/\bStream\.(\w+)/g)) {
        if (name !== 'prototype' && name !== 'call') read.add(name!);
      }
    }
    const assigned = new Set(
      [...readFileSync(ENTRY, 'utf8').matchAll(/^Stream\.(\w+) =/gm)].map(([, name]) => name),
    );
    expect([...read]).toEqual(expect.arrayContaining(['_isUint8Array', '_uint8ArrayToBuffer']));
    for (const name of read) expect(assigned.has(name), name).toBe(true);
  });

  it('behaves as the package, alone in a fresh process', () => {
    // Each in a process of its own: loaded together, the package's index would set on
    // Stream what the entry might have forgotten.
    const run = (module: string) =>
      JSON.parse(execFileSync(process.execPath, ['-e', EXERCISE, module], { encoding: 'utf8' }));
    const fromEntry = run(ENTRY);
    expect(fromEntry).toEqual(run(require.resolve(PACKAGE_BROWSER_INDEX)));
    expect(fromEntry.written).toEqual([
      [true, 'buffer', [1, 2, 3]],
      [true, 'buffer', [4]],
    ]);
  });
});

/** Streams as mqtt.js uses them; prints what happened, as JSON. */
const EXERCISE = `
const { Readable, Writable, Duplex, Transform } = require(process.argv[1]);
const result = { written: [], events: [] };
const writable = new Writable({
  write(chunk, encoding, callback) {
    result.written.push([Buffer.isBuffer(chunk), encoding, [...chunk]]);
    callback();
  },
});
writable.write(new Uint8Array([1, 2, 3])); // a plain Uint8Array becomes a Buffer
writable.write(Buffer.from([4]));
writable.end();

const readable = new Readable({ read() {} });
readable.push(new Uint8Array([5, 6]));
readable.push(null);
const read = [];
readable.on('data', (chunk) => read.push([Buffer.isBuffer(chunk), [...chunk]]));

const objects = new Readable({ objectMode: true, read() {} });
const doubled = new Transform({
  objectMode: true,
  transform(object, _encoding, callback) { callback(null, { n: object.n * 2 }); },
});
const sink = [];
objects.pipe(doubled).pipe(new Writable({
  objectMode: true,
  write(object, _encoding, callback) { sink.push(object.n); callback(); },
}));
objects.push({ n: 1 }); objects.push({ n: 2 }); objects.push(null);

class Echo extends Duplex {
  _write(chunk, _encoding, callback) { this.push(chunk); callback(); }
  _read() {}
}
const echo = new Echo();
const echoed = [];
echo.on('data', (chunk) => echoed.push([...chunk]));
echo.write(Buffer.from([7]));
echo.on('error', (error) => result.events.push('error ' + error.message));
echo.on('close', () => result.events.push('close'));

setTimeout(() => {
  echo.destroy(new Error('gone'));
  setTimeout(() => {
    Object.assign(result, { read, sink, echoed, destroyed: echo.destroyed });
    process.stdout.write(JSON.stringify(result));
  }, 10);
}, 10);
`;
