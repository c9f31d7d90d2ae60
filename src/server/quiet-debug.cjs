// Preloaded by `npm start` and `npm run dev` (`node --require`): mqtt-packet, which
// parses and writes every packet of the broker, gets the `debug` of no-debug.cjs.
//
// It calls `debug(...)` several times per packet; even with every namespace off, each
// call costs a rest-arguments array and a getter. In bench:fan-out (1 → 200, QoS 1) that
// was 9.0 µs of broker CPU per delivery against 7.3 µs without. With DEBUG set in the
// environment (`DEBUG=mqtt-packet:* npm start`), nothing is replaced and the logs work.
'use strict';

const path = require('node:path');

if (!process.env.DEBUG) {
  // The copy mqtt-packet itself would load (it may be nested under a package of its own).
  const mqttPacketDir = path.dirname(require.resolve('mqtt-packet/package.json'));
  const id = require.resolve('debug', { paths: [mqttPacketDir] });
  require.cache[id] = {
    id,
    filename: id,
    loaded: true,
    exports: require('../shared/no-debug.cjs'),
    children: [],
    paths: [],
  };
}
