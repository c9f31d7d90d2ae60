import { mountTopic } from '../../../src/server/broker/mount-point';
import { json } from './mqtt-clients';
import type { TestServer } from './test-server';

/**
 * `value` retained on the demo org's `topic` straight into `server`'s broker, past the
 * publish checks: as an earlier version may have left it in a data dir, or as the broker
 * itself says it. The publish starts at once, before the first await.
 */
export function retainAsBroker(server: TestServer, topic: string, value: object): Promise<void> {
  const payload = Buffer.from(json(value));
  return new Promise((resolve, reject) =>
    server.broker.aedes.publish(
      {
        cmd: 'publish',
        topic: mountTopic('demo', topic),
        payload,
        qos: 1,
        retain: true,
        dup: false,
      },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
}
