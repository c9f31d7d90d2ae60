import { Buffer } from 'buffer/';
import { describe, expect, it } from 'vitest';
import { speedUpBufferViews } from '../../../../../src/client/lib/mqtt/browser/fast-buffer';

// The browser build's Buffer (the `buffer` package, not Node's), sped up as node-globals.ts
// does for the app. Module state is per test file, so this patch stays here.
const nativeSubarray = Uint8Array.prototype.subarray;
speedUpBufferViews(Buffer);

const BOUNDS: [number | undefined, number | undefined][] = [
  [undefined, undefined],
  [0, 3],
  [2, undefined],
  [-3, undefined],
  [-3, -1],
  [1, -1],
  [-100, 2],
  [3, 100],
  [4, 2],
  [10, 12],
  [1.7, 4.2],
  [Number.NaN, 3],
  [0, Number.POSITIVE_INFINITY],
  [Number.NEGATIVE_INFINITY, -2],
];

describe('the browser Buffer’s slice and subarray', () => {
  for (const method of ['slice', 'subarray'] as const) {
    it(`${method} covers the same bytes as a typed array's subarray, in the same memory`, () => {
      // A buffer that is itself a view into the middle of a larger one.
      const whole = Buffer.from('..abcdefgh..');
      const buffer = whole[method](2, 10);
      for (const [start, end] of BOUNDS) {
        const view = buffer[method](start, end);
        const expected = nativeSubarray.call(buffer, start, end);
        expect(view.byteOffset, `${method}(${start}, ${end})`).toBe(expected.byteOffset);
        expect(view.length, `${method}(${start}, ${end})`).toBe(expected.length);
        expect(view.buffer).toBe(whole.buffer);
      }
      const view = buffer[method](1, 3);
      view[0] = 0x42; // 'B'
      expect(whole.toString('latin1')).toBe('..aBcdefgh..');
    });

    it(`${method} returns a Buffer with Buffer's methods`, () => {
      const view = Buffer.from([0x00, 0x01, 0x02, 0x68, 0x69])[method](1) as Buffer;
      expect(Buffer.isBuffer(view)).toBe(true);
      expect(view).toBeInstanceOf(Buffer);
      expect(view.constructor).toBe(Buffer);
      expect(view.readUInt16BE(0)).toBe(0x0102);
      expect((view[method](2) as Buffer).toString('utf8')).toBe('hi');
      expect(Buffer.concat([view, Buffer.from('!')]).toString('latin1')).toBe('\x01\x02hi!');
    });
  }
});
