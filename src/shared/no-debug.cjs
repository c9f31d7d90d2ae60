// The `debug` package with no logging at all, for the browser build (aliased in
// vite.config.ts) and the server (src/server/quiet-debug.cjs).
//
// mqtt.js and mqtt-packet log every step of every packet through `debug`. Switched off,
// each call still costs: ≈ 4 % of the page while a 10,000-agent board loads, 19 % of the
// broker's CPU per QoS 1 delivery. CommonJS on purpose: mqtt-packet calls what
// `require('debug')` returns, mqtt.js its `default`.
'use strict';

function ignore() {}

function createDebug() {
  return ignore;
}

module.exports = createDebug;
module.exports.default = createDebug;
