import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// src/server/quiet-debug.cjs, preloaded as `npm start` does, in a process of its own.
const PRELOAD = fileURLToPath(new URL('../../src/server/quiet-debug.cjs', import.meta.url));
const NO_DEBUG = fileURLToPath(new URL('../../src/shared/no-debug.cjs', import.meta.url));

// Parses a PINGRESP with mqtt-packet, then reports which `debug` it loaded.
const SCRIPT = `
const path = require('node:path');
const mqtt = require('mqtt-packet');
const parser = mqtt.parser();
let parsed = null;
parser.on('packet', (packet) => (parsed = packet.cmd));
parser.parse(Buffer.from([0xd0, 0x00]));
const dir = path.dirname(require.resolve('mqtt-packet/package.json'));
const debug = require.cache[require.resolve('debug', { paths: [dir] })].exports;
process.stdout.write(JSON.stringify({ parsed, stubbed: debug === require(${JSON.stringify(NO_DEBUG)}) }));
`;

/** Runs SCRIPT with the preload; DEBUG only as given. */
function run(debug?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DEBUG;
  if (debug !== undefined) env.DEBUG = debug;
  const child = spawnSync(process.execPath, ['--require', PRELOAD, '-e', SCRIPT], {
    env,
    encoding: 'utf8',
  });
  expect(child.status, child.stderr).toBe(0);
  return {
    ...(JSON.parse(child.stdout) as { parsed: string; stubbed: boolean }),
    logged: child.stderr.includes('mqtt-packet:parser'),
  };
}

describe('the server’s quiet debug', () => {
  it('gives mqtt-packet a debug that does nothing, and packets still parse', () => {
    expect(run()).toEqual({ parsed: 'pingresp', stubbed: true, logged: false });
  });

  it('leaves the real debug in place when DEBUG is set, so its logs can be turned on', () => {
    expect(run('mqtt-packet:*')).toEqual({ parsed: 'pingresp', stubbed: false, logged: true });
  });
});
