import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { connectPacket } from './connect-packet';
import type { ClientLogin } from './targets';

// A QoS 1 publisher over MQTT/TCP as cheap as a client can be, for loads that share the
// machine with what they measure: each publish is one generated packet, the publishes of a
// tick leave in one write, and PUBACKs are only counted off. mqtt.js at 10,000 publishes/s
// took this process about a third of a core (its outgoing store, a write and a stream
// callback chain per packet), time the server and the page then waited for.

const CONNACK_TIMEOUT_MS = 30_000;
const DRAIN_TIMEOUT_MS = 30_000;
const MAX_MESSAGE_ID = 0xffff;

export interface LeanPublisher {
  publish(topic: string, payload: string, retain: boolean): void;
  /** Publishes that failed: the connection went before their PUBACK, or it never came. */
  readonly errors: number;
  /** Waits for outstanding PUBACKs (counting the missing as errors), then disconnects. */
  end(): Promise<void>;
}

export function connectLeanPublisher(mqttUrl: string, login: ClientLogin): Promise<LeanPublisher> {
  const { hostname, port } = new URL(mqttUrl);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.setNoDelay(true);
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));

  const inFlight = new Set<number>();
  let lastId = 0;
  let errors = 0;
  let closed = false;
  let corked = false;
  let onIdle: (() => void) | null = null;

  const nextId = (): number => {
    do lastId = (lastId % MAX_MESSAGE_ID) + 1;
    while (inFlight.has(lastId));
    return lastId;
  };
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  const publisher: LeanPublisher = {
    publish(topic, payload, retain) {
      if (closed) {
        errors++;
        return;
      }
      const messageId = nextId();
      inFlight.add(messageId);
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      socket.write(
        mqttPacket.generate({
          cmd: 'publish',
          topic,
          payload,
          qos: 1,
          retain,
          dup: false,
          messageId,
        }),
      );
    },
    get errors() {
      return errors;
    },
    async end() {
      if (!closed && inFlight.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
          onIdle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      if (closed) return;
      const gone = new Promise((resolve) => socket.once('close', resolve));
      socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
      await gone;
    },
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no CONNACK for ${login.clientId}`));
    }, CONNACK_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', fail);
    socket.on('close', () => {
      fail(new Error(`connection closed before the CONNACK for ${login.clientId}`)); // no-op after it
      closed = true;
      errors += inFlight.size;
      inFlight.clear();
      onIdle?.();
    });
    parser.on('error', (error) => {
      errors++;
      socket.destroy(error);
    });
    parser.on('packet', (packet: Packet) => {
      if (packet.cmd === 'puback') {
        inFlight.delete(packet.messageId ?? 0);
        if (inFlight.size === 0) onIdle?.();
      } else if (packet.cmd === 'connack') {
        clearTimeout(timer);
        socket.off('error', fail);
        socket.on('error', () => {}); // 'close' follows and counts what was in flight
        if (packet.returnCode === 0) resolve(publisher);
        else {
          socket.destroy();
          reject(new Error(`CONNACK refused ${login.clientId}: code ${packet.returnCode}`));
        }
      }
    });
    // keepalive 0: loads are short, and the broker then expects no PINGREQ.
    socket.once('connect', () => socket.write(connectPacket(login, 0)));
  });
}
