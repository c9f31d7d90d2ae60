// Preloaded (NODE_OPTIONS=--require) into a server a test runs in a process of its own:
// holds its first listen (the HTTP server's, late in the start) for HOLD_LISTEN_MS, having
// said so on stderr, so that the test can signal it while it starts, its storage and broker
// open. Installs no signal handler: the process meets a signal as the server alone does.
'use strict';

const net = require('node:net');

const holdMs = Number(process.env.HOLD_LISTEN_MS ?? '0');
const listen = net.Server.prototype.listen;
let held = false;
net.Server.prototype.listen = function holdFirstListen(...args) {
  if (held) return listen.apply(this, args);
  held = true;
  process.stderr.write('hold-first-listen: held\n');
  setTimeout(() => listen.apply(this, args), holdMs);
  return this;
};
