// readable-stream decodes text with string_decoder only for a stream given an `encoding`
// or `setEncoding()`; mqtt.js' streams carry bytes and objects and never do, so the
// browser build gets this instead of string_decoder and safe-buffer (≈1.2 KB gzip).
// Reaching it means a stream was asked for text.
export class StringDecoder {
  constructor() {
    throw new Error('string_decoder is not bundled: mqtt.js streams carry bytes, not text');
  }
}
