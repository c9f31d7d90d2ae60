import { describe, expect, it } from 'vitest';
import { ROUTING_CONCURRENCY } from '../../../src/server/broker/broker';
import { eventually } from '../support/eventually';
import { useTestServer } from '../support/server-fixture';

// aedes' emitter holds a message until every subscriber's delivery has called back, and
// routes only so many at once; the rest wait (and with them their publishers' PUBACKs).
// Here a handler on the real broker's emitter never calls back, so every message it gets
// stays in flight: how many it gets is how many the broker routes at once.

const fixture = useTestServer();

/** The part of aedes' emitter (mqemitter) that aedes' types leave out. */
interface Emitter {
  on(topic: string, handler: (packet: unknown, done: () => void) => void): void;
  removeListener(topic: string, handler: (packet: unknown, done: () => void) => void): void;
  /** Messages waiting for a routing slot. */
  readonly length: number;
}

describe('routing concurrency', () => {
  it(`routes ${ROUTING_CONCURRENCY} messages at once, not aedes' default 100`, async () => {
    const { aedes } = fixture.server.broker;
    const { mq } = aedes as unknown as { mq: Emitter };
    const held: (() => void)[] = [];
    const hold = (_packet: unknown, done: () => void) => {
      held.push(done);
    };
    mq.on('$demo/held/#', hold);
    try {
      const total = ROUTING_CONCURRENCY + 50;
      for (let i = 0; i < total; i++) {
        aedes.publish(
          {
            cmd: 'publish',
            topic: `$demo/held/${i}`,
            payload: Buffer.from(String(i)),
            qos: 0,
            retain: false,
            dup: false,
          },
          () => {},
        );
      }
      const heldAll = () => held.length === ROUTING_CONCURRENCY;
      await eventually(heldAll, 5_000, 'a full routing window');
      expect(mq.length).toBe(total - ROUTING_CONCURRENCY);
      // Completing one delivery lets exactly one waiting message through.
      held.shift()?.();
      await eventually(heldAll, 5_000, 'the next message');
      expect(mq.length).toBe(total - ROUTING_CONCURRENCY - 1);
    } finally {
      mq.removeListener('$demo/held/#', hold);
      for (const done of held.splice(0)) done();
    }
  });
});
