import { createRequire } from 'node:module';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { encodePublishesOnce } from '../../../src/server/broker/publish-encoding';

// mqtt-packet's own writeToStream, which reads its number cache setting from itself.
const unpatched = createRequire(import.meta.url)('mqtt-packet/writeToStream.js') as {
  cacheNumbers: boolean;
};
encodePublishesOnce();

/** What writeToStream writes, piece by piece, to a stream that keeps it. */
function written(packet: unknown, opts?: { protocolVersion: number }) {
  const pieces: Buffer[] = [];
  let destroyedWith: Error | undefined;
  let corked = 0;
  const stream = {
    write: (chunk: Buffer | string) => {
      pieces.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      return true;
    },
    destroy: (error: Error) => (destroyedWith = error),
    cork: () => (corked += 1),
    uncork: () => (corked -= 1),
  };
  mqttPacket.writeToStream(
    packet as mqttPacket.Packet,
    stream as unknown as Parameters<typeof mqttPacket.writeToStream>[1],
    opts,
  );
  return { pieces, bytes: Buffer.concat(pieces), destroyedWith, corked: () => corked };
}

const publish = (fields: Record<string, unknown>) =>
  ({
    cmd: 'publish',
    topic: 'agents/agent-01/state',
    qos: 1,
    retain: false,
    dup: false,
    messageId: 1,
    ...fields,
  }) as mqttPacket.IPublishPacket;

describe('a PUBLISH encoded once per message', () => {
  it('gives each subscriber mqtt-packet’s bytes with its own message id: a header and the payload itself', async () => {
    const payload = Buffer.from('{"status":"working"}');
    for (const messageId of [1, 2, 300, 65_535]) {
      const packet = publish({ payload, messageId });
      const { pieces, bytes, corked } = written(packet);
      expect(pieces).toHaveLength(2);
      expect(pieces[1]).toBe(payload);
      expect(bytes).toEqual(mqttPacket.generate(packet));
      expect(corked()).toBe(1); // both pieces leave together, as with mqtt-packet
      await new Promise((resolve) => process.nextTick(resolve));
      expect(corked()).toBe(0);
    }
  });

  it('sends a QoS 0 message’s header as the same bytes to every subscriber', () => {
    const payload = Buffer.from('state');
    const first = written(publish({ payload, qos: 0, messageId: undefined }));
    const second = written(publish({ payload, qos: 0, messageId: undefined }));
    expect(second.pieces[0]).toBe(first.pieces[0]);
  });

  it('sets retain and DUP for any truthy value, as mqtt-packet does', () => {
    const payload = Buffer.from('x');
    for (const flags of [{ retain: 1 }, { dup: 'yes' }, { retain: 0, dup: null }]) {
      const packet = publish({ payload, ...flags });
      expect(written(packet).bytes).toEqual(mqttPacket.generate(packet));
    }
  });

  it('still lets mqtt.js turn mqtt-packet’s number cache off', () => {
    const before = mqttPacket.writeToStream.cacheNumbers;
    try {
      mqttPacket.writeToStream.cacheNumbers = false;
      const packet = publish({ payload: Buffer.from('x'), messageId: 77 });
      expect(written(packet).bytes).toEqual(mqttPacket.generate(packet));
      expect(unpatched.cacheNumbers).toBe(false);
    } finally {
      mqttPacket.writeToStream.cacheNumbers = before;
    }
  });

  it('encodes again when the topic, QoS, retain or DUP flag differ for the same payload', () => {
    const payload = Buffer.from('hello');
    const variants = [
      publish({ payload }),
      publish({ payload, topic: 'chat/general/messages' }),
      publish({ payload, qos: 0, messageId: undefined }),
      publish({ payload, qos: 2, messageId: 9 }),
      publish({ payload, retain: true }),
      publish({ payload, dup: true, messageId: 4 }),
      publish({ payload, topic: 'chat/général/messages ✓' }),
      publish({ payload }),
    ];
    for (const packet of variants) {
      expect(written(packet).bytes).toEqual(mqttPacket.generate(packet));
    }
  });

  it('encodes any payload size, across each remaining-length boundary', () => {
    for (const size of [0, 100, 127, 128, 16_383, 16_384, 2_097_152]) {
      const payload = Buffer.alloc(size, 7);
      for (const messageId of [5, 6]) {
        const packet = publish({ payload, messageId });
        expect(written(packet).bytes.equals(mqttPacket.generate(packet))).toBe(true);
      }
    }
  });

  it('leaves to mqtt-packet what it does not encode itself, errors included', () => {
    const missingId = written(publish({ payload: Buffer.from('x'), messageId: undefined }));
    expect(missingId.destroyedWith?.message).toBe('Invalid messageId');
    const stringPayload = publish({ payload: 'text' });
    expect(written(stringPayload).bytes).toEqual(mqttPacket.generate(stringPayload));
    const v5 = publish({ payload: Buffer.from('x'), properties: { contentType: 'json' } });
    expect(written(v5, { protocolVersion: 5 }).bytes).toEqual(
      mqttPacket.generate(v5, { protocolVersion: 5 }),
    );
    const puback = { cmd: 'puback' as const, messageId: 3 };
    expect(written(puback).bytes).toEqual(mqttPacket.generate(puback));
  });
});
