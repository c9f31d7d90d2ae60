import mqttPacket from 'mqtt-packet';
import type { ClientLogin } from './targets';

/** An MQTT 3.1.1 CONNECT with a clean session, for the benchmarks' bare clients. */
export function connectPacket(login: ClientLogin, keepaliveSeconds: number): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: keepaliveSeconds,
    clientId: login.clientId,
    ...(login.username ? { username: login.username } : {}),
    ...(login.password ? { password: Buffer.from(login.password) } : {}),
  });
}
