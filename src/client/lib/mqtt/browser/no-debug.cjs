// The `debug` package, as the browser build gets it (vite.config.ts): no logging at all.
//
// mqtt.js and mqtt-packet log every step of every packet through `debug`. Switched off,
// each call still costs: ≈ 4 % of the page while a 10,000-agent board loads. CommonJS on
// purpose: mqtt-packet calls what `require('debug')` returns, mqtt.js its `default`.
'use strict';

function ignore() {}

function createDebug() {
  return ignore;
}

module.exports = createDebug;
module.exports.default = createDebug;
