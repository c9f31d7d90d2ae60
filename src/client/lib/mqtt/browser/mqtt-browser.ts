import './node-globals';
import type { IClientOptions } from 'mqtt';
import clientModule from 'mqtt/lib/client';
import { browserStreamBuilder } from 'mqtt/lib/connect/ws';
import { BatchedWebSocket } from './batched-web-socket';

// mqtt.js' modules are CommonJS compiled from TypeScript. The bundler, like Node, makes
// `module.exports` the default import, so the class is that object's `default`.
const { default: MqttClient } = clientModule as unknown as { default: typeof clientModule };

/**
 * mqtt.js for the browser build, WebSocket only: vite.config.ts points `mqtt` here.
 *
 * The package's own browser build (dist/mqtt.esm.js) carries every transport (TCP, TLS,
 * WeChat, Alipay), worker timers and its own Node polyfills: ≈98 KB gzip of the
 * workspace chunk. Built from its modules, with only the client and the WebSocket
 * transport, it is ≈20 KB smaller. Node (tests, the agent simulator) uses the package as
 * it is.
 */
export function connect(url: string, options: IClientOptions): InstanceType<typeof MqttClient> {
  const { protocol, hostname, port, pathname, search } = new URL(url);
  const scheme = protocol.slice(0, -1);
  if (scheme !== 'ws' && scheme !== 'wss') {
    throw new Error(`broker URL must be ws:// or wss://, got ${url}`);
  }
  const resolved: IClientOptions = {
    ...options,
    protocol: scheme,
    hostname,
    host: hostname,
    ...(port ? { port: Number(port) } : {}),
    path: pathname + search,
    createWebsocket: (socketUrl: string, protocols: string[]) =>
      new BatchedWebSocket(socketUrl, protocols),
  };
  return new MqttClient((client) => browserStreamBuilder(client, resolved), resolved);
}

export default { connect };
