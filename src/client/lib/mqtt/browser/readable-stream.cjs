// readable-stream for the browser build (vite.config.ts points `readable-stream` here):
// its stream classes, from the package's own modules, without what mqtt.js never calls.
//
// The package's index (lib/stream.js) also loads pipeline, compose, stream/promises and
// the stream operators it puts on Readable.prototype (map, filter, toArray, …): ≈4 KB
// gzip of the workspace chunk. mqtt.js and bl use Readable, Writable, Duplex and
// Transform. CommonJS on purpose, like the modules it loads and the ones that require it.
// test/client/lib/mqtt/browser/readable-stream.test.ts checks it against the package.
'use strict';

const bufferModule = require('buffer');
const { Stream } = require('readable-stream/lib/internal/streams/legacy.js');
const eos = require('readable-stream/lib/internal/streams/end-of-stream.js');

// Set by lib/stream.js and read by readable.js and writable.js: a Uint8Array written to a
// byte stream becomes a Buffer.
Stream._isUint8Array = function isUint8Array(value) {
  return value instanceof Uint8Array;
};
Stream._uint8ArrayToBuffer = function _uint8ArrayToBuffer(chunk) {
  return bufferModule.Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
};

Stream.Readable = require('readable-stream/lib/internal/streams/readable.js');
Stream.Writable = require('readable-stream/lib/internal/streams/writable.js');
Stream.Duplex = require('readable-stream/lib/internal/streams/duplex.js');
Stream.Transform = require('readable-stream/lib/internal/streams/transform.js');
Stream.PassThrough = require('readable-stream/lib/internal/streams/passthrough.js');
Stream.finished = eos;
Stream.Stream = Stream;

module.exports = Stream;
