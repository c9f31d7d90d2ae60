import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StringDecoder } from '../../../../../src/client/lib/mqtt/browser/no-string-decoder';

// What the browser build narrows for mqtt.js and mqtt-packet (vite.config.ts), and what
// each narrowing relies on in their code: these fail when a new version needs more.

const root = process.cwd();
const mqttPacketDir = path.dirname(
  createRequire(path.join(root, 'node_modules/mqtt/package.json')).resolve('mqtt-packet'),
);
const mqttLib = path.join(root, 'node_modules/mqtt/build/lib');

/** Code without its comments, roughly: enough that names in comments are not counted. */
const code = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');

const mqttSources = () =>
  readdirSync(mqttLib, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => code(path.join(mqttLib, file)))
    .join('\n');

describe('bl, as BufferList alone', () => {
  it('is all that mqtt-packet’s parser uses of it', () => {
    const parser = code(path.join(mqttPacketDir, 'parser.js'));
    expect([...parser.matchAll(/\bbl\b(.?)/g)].map(([, next]) => next)).toEqual([
      ' ', // const bl =
      "'", // require('bl')
      '(', // this._list = bl()
    ]);
    const requireFromPacket = createRequire(path.join(mqttPacketDir, 'parser.js'));
    const BufferList = requireFromPacket('bl/BufferList.js') as () => object;
    const list = BufferList();
    for (const [, member] of parser.matchAll(/\bthis\._list\.(\w+)/g)) {
      expect(member! in list, member).toBe(true);
    }
  });

  it('parses what mqtt-packet generates, cut anywhere, as the whole bl does', () => {
    // Each in a fresh process: the parser's `require('bl')` answered with bl or BufferList.
    const run = (narrow: boolean) =>
      execFileSync(process.execPath, ['-e', PARSE, mqttPacketDir, String(narrow)], {
        encoding: 'utf8',
      });
    const narrowed = JSON.parse(run(true)) as { cmd: string }[];
    expect(narrowed.map(({ cmd }) => cmd)).toEqual([
      'connack',
      'publish',
      'publish',
      'puback',
      'suback',
      'pingresp',
      'publish',
    ]);
    expect(narrowed).toEqual(JSON.parse(run(false)));
  });
});

describe('process-nextick-args, as our process.nextTick', () => {
  it('is read for nextTick alone, called with its arguments', () => {
    const users = readdirSync(mqttPacketDir)
      .filter((file) => file.endsWith('.js'))
      .map((file) => code(path.join(mqttPacketDir, file)))
      .filter((source) => source.includes('process-nextick-args'));
    expect(users).toHaveLength(1);
    expect(users[0]).toContain("const nextTick = require('process-nextick-args').nextTick");
    expect([...users[0]!.matchAll(/process-nextick-args'\)(.?\w*)/g)].map(([, m]) => m)).toEqual([
      '.nextTick',
    ]);
  });
});

describe('string_decoder, left out', () => {
  it('is needed only by a stream given an encoding, which mqtt.js never does', () => {
    const sources = mqttSources();
    expect(sources).not.toMatch(/\bsetEncoding\b/);
    expect(sources).not.toMatch(/\bencoding\s*:/);
    expect(() => new StringDecoder()).toThrow(/not bundled/);
  });
});

describe('mqtt.js’ package.json, as its version alone', () => {
  it('is read for its version alone', () => {
    const reads = [...mqttSources().matchAll(/require\(["'][./]*package\.json["']\)(.?\w*)/g)];
    expect(reads.map(([, field]) => field)).toEqual(['.version']);
  });
});

/** Parses MQTT packets cut at every few bytes; prints them as JSON. */
const PARSE = `
const Module = require('node:module');
const [dir, narrow] = process.argv.slice(1);
if (narrow === 'true') {
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'bl') return load.call(this, 'bl/BufferList.js', parent, isMain);
    return load.call(this, request, parent, isMain);
  };
}
const mqtt = require(dir);
const packets = [
  { cmd: 'connack', returnCode: 0, sessionPresent: false },
  { cmd: 'publish', topic: 'sb/room/1', payload: Buffer.from('hello'), qos: 1, messageId: 7 },
  { cmd: 'publish', topic: 't', payload: Buffer.alloc(300, 1), qos: 0, retain: true },
  { cmd: 'puback', messageId: 7 },
  { cmd: 'suback', messageId: 8, granted: [0, 1, 128] },
  { cmd: 'pingresp' },
  { cmd: 'publish', topic: 'x', payload: Buffer.from([]), qos: 2, messageId: 9, dup: true },
];
const bytes = Buffer.concat(packets.map((packet) => mqtt.generate(packet)));
const parser = mqtt.parser();
const parsed = [];
parser.on('packet', (packet) => parsed.push({ ...packet, payload: packet.payload && [...packet.payload] }));
parser.on('error', (error) => parsed.push({ error: error.message }));
for (let at = 0, step = 1; at < bytes.length; at += step, step = (step * 7) % 13 + 1) {
  parser.parse(bytes.subarray(at, at + step));
}
process.stdout.write(JSON.stringify(parsed));
`;
