import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { createLogger } from '../../src/server/logger';
import { openBrokerPersistence } from '../../src/server/broker/persistence';
import { attachWebSocketTransport } from '../../src/server/broker/transports/websocket';
import { packetSizeLimit } from '../../src/server/broker/transports/packet-size-limit';
import { DEFAULTS } from '../../src/server/config';
import { emitEvent, serveRpc } from '../lib/rpc';
import { applyExperiments } from './experiments';
import type { ServerReady } from '../lib/targets';

// "Plain routing": the same Aedes, persistence (LevelDB on disk) and WebSocket transport
// as the real server, but no authentication, ACL, mount points, sender checks or history.
// The chat benchmark compares the real server's cost per message with this one's under
// the same load.

const EXIT_DELAY_MS = 50;

const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-bench-plain-'));
// PLAIN_AEDES_PERSISTENCE=memory: aedes' in-memory store instead, for comparison.
const inMemory = process.env.PLAIN_AEDES_PERSISTENCE === 'memory';
const persistence = inMemory
  ? null
  : openBrokerPersistence(dataDir, (error) => {
      throw error;
    });
const aedes = await Aedes.createBroker(persistence ? { persistence } : {});
applyExperiments(
  aedes,
  (process.env.SWITCHBOARD_BENCH_EXPERIMENTS ?? '').split(',').filter(Boolean),
);
const limitPacketSize = packetSizeLimit(DEFAULTS.maxPacketBytes);
const httpServer = http.createServer((_, response) => response.writeHead(404).end());
const ws = attachWebSocketTransport({
  server: httpServer,
  allowedOrigins: [],
  maxPacketBytes: DEFAULTS.maxPacketBytes,
  logger: createLogger('silent'),
  onConnection: (stream, request) => limitPacketSize(aedes.handle(stream, request)),
});
await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
const { port } = httpServer.address() as AddressInfo;

serveRpc({
  async stop() {
    ws.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await persistence?.destroy();
    await rm(dataDir, { recursive: true, force: true });
    httpServer.close();
    setTimeout(() => process.exit(0), EXIT_DELAY_MS);
  },
});

emitEvent('ready', {
  wsUrl: `ws://127.0.0.1:${port}/mqtt`,
  mqttUrl: '',
  password: '',
} satisfies ServerReady);
