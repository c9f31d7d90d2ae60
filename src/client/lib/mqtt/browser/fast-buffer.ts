/** A Buffer class, Node's or the browser package's: its instances are Uint8Arrays. */
interface BufferClass {
  prototype: Uint8Array;
}

/**
 * Makes `slice` and `subarray` of the browser's Buffer (the `buffer` package) cheap.
 *
 * mqtt-packet's parser slices every field of every packet. In the package, `subarray` is
 * Uint8Array's: it looks up the species constructor, which is Buffer, which goes through
 * `Buffer.from` and sets the new view's prototype; `slice` then sets it once more. On a
 * page loading 10,000 agent states that was 13 % of its main thread. Here both make the
 * view directly as an instance of a Uint8Array subclass whose prototype is Buffer's, as
 * Node's own FastBuffer does. Same memory, same bounds as a typed array's `subarray`.
 */
export function speedUpBufferViews(buffer: BufferClass): void {
  class FastBuffer extends Uint8Array {}
  Object.setPrototypeOf(FastBuffer.prototype, buffer.prototype);
  Object.defineProperty(FastBuffer.prototype, 'constructor', {
    value: buffer,
    writable: true,
    configurable: true,
  });

  function view(this: Uint8Array, start?: number, end?: number): Uint8Array {
    const length = this.length;
    const from = relativeIndex(start, 0, length);
    const to = Math.max(from, relativeIndex(end, length, length));
    const memory = this.buffer as ArrayBuffer; // or a SharedArrayBuffer: both take views
    return new FastBuffer(memory, this.byteOffset + from, to - from);
  }
  for (const name of ['slice', 'subarray'] as const) {
    Object.defineProperty(buffer.prototype, name, {
      value: view,
      writable: true,
      configurable: true,
    });
  }
}

/** A `subarray` bound: integer part, negative counts from the end, clamped to 0…length. */
function relativeIndex(index: number | undefined, fallback: number, length: number): number {
  if (index === undefined) return fallback;
  const integer = Math.trunc(Number(index)) || 0; // NaN → 0
  return integer < 0 ? Math.max(length + integer, 0) : Math.min(integer, length);
}
