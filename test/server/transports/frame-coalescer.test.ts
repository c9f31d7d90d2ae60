import type { Writable } from 'node:stream';
import * as ws from 'ws';
import { describe, expect, it } from 'vitest';
import {
  FrameCoalescer,
  MAX_JOINED_PAYLOAD_BYTES,
} from '../../../src/server/broker/transports/frame-coalescer';
import { seededRandom } from '../../support/seeded-random';

// ws' frame parser, as ws itself uses it on the server (exported, though not in its types).
const { Receiver } = ws as unknown as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => Writable;
};

// The coalescer is checked against ws' own receiver: whatever stream of client frames
// arrives, cut into reads anywhere, ws must see the same thing through the coalescer as
// without it: the same binary bytes in the same order between the same control frames,
// text frames, close and errors. Only where binary messages start and end may differ.

const MAX_PAYLOAD = 64 * 1_024;

const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa };

interface FrameSpec {
  opcode: number;
  payload: Buffer;
  fin?: boolean;
  masked?: boolean;
  rsv1?: boolean;
}

/** A client frame as RFC 6455 §5.2 lays it out, any payload size, masked by default. */
function frame(
  { opcode, payload, fin = true, masked = true, rsv1 = false }: FrameSpec,
  random: () => number,
): Buffer {
  const first = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (payload.length < 126) header = Buffer.from([first, maskBit | payload.length]);
  else if (payload.length < 65_536) {
    header = Buffer.from([first, maskBit | 126, 0, 0]);
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.from([first, maskBit | 127, 0, 0, 0, 0, 0, 0, 0, 0]);
    header.writeUInt32BE(payload.length, 6);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = Buffer.from([0, 0, 0, 0].map(() => Math.floor(random() * 256)));
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([header, mask, body]);
}

/** What ws' receiver reports for these reads, consecutive binary messages run together. */
function seenByWs(reads: Buffer[]): string[] {
  const receiver = new Receiver({ isServer: true, maxPayload: MAX_PAYLOAD });
  const seen: string[] = [];
  let binary: Buffer[] = [];
  const endBinary = () => {
    if (binary.length > 0) seen.push(`binary ${Buffer.concat(binary).toString('hex')}`);
    binary = [];
  };
  const report = (line: string) => {
    endBinary();
    seen.push(line);
  };
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) binary.push(Buffer.from(data));
    else report(`text ${data.toString()}`);
  });
  receiver.on('ping', (data: Buffer) => report(`ping ${data.toString('hex')}`));
  receiver.on('pong', (data: Buffer) => report(`pong ${data.toString('hex')}`));
  receiver.on('conclude', (code: number) => report(`close ${code}`));
  receiver.on('error', (error: Error & { code?: string }) => report(`error ${error.code}`));
  for (const read of reads) {
    if (receiver.writable) receiver.write(read);
  }
  endBinary();
  return seen;
}

function bytes(random: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

/** A plausible client's frames: mostly small binary frames, with everything else mixed in. */
function randomFrames(random: () => number): Buffer[] {
  const frames: Buffer[] = [];
  const count = 1 + Math.floor(random() * 40);
  for (let i = 0; i < count; i++) {
    const pick = random();
    const small = () => bytes(random, Math.floor(random() * 6));
    if (pick < 0.55) frames.push(frame({ opcode: OP.binary, payload: small() }, random));
    else if (pick < 0.65) {
      const sizes = [126, 300, MAX_JOINED_PAYLOAD_BYTES, MAX_JOINED_PAYLOAD_BYTES + 1, 70_000];
      const size = sizes[Math.floor(random() * sizes.length)]!;
      frames.push(frame({ opcode: OP.binary, payload: bytes(random, size) }, random));
    } else if (pick < 0.72) {
      // A binary message in fragments, a control frame possibly between them.
      frames.push(frame({ opcode: OP.binary, payload: small(), fin: false }, random));
      if (random() < 0.5) frames.push(frame({ opcode: OP.ping, payload: small() }, random));
      frames.push(frame({ opcode: OP.continuation, payload: small(), fin: false }, random));
      frames.push(frame({ opcode: OP.continuation, payload: small() }, random));
    } else if (pick < 0.8) frames.push(frame({ opcode: OP.ping, payload: small() }, random));
    else if (pick < 0.86) frames.push(frame({ opcode: OP.pong, payload: small() }, random));
    else if (pick < 0.9)
      frames.push(frame({ opcode: OP.text, payload: Buffer.from('hi') }, random));
    else if (pick < 0.93) {
      // Protocol errors end the stream: ws refuses them and reads no further.
      const errors: FrameSpec[] = [
        { opcode: OP.binary, payload: small(), masked: false },
        { opcode: OP.binary, payload: small(), rsv1: true },
        { opcode: OP.continuation, payload: small() },
        { opcode: 0x3, payload: small() },
      ];
      frames.push(frame(errors[Math.floor(random() * errors.length)]!, random));
      break;
    } else if (pick < 0.95) {
      frames.push(frame({ opcode: OP.close, payload: Buffer.from([0x03, 0xe8]) }, random));
      break;
    }
  }
  return frames;
}

/** The stream cut into reads of random sizes, as a socket might deliver it. */
function cut(stream: Buffer, random: () => number): Buffer[] {
  const reads: Buffer[] = [];
  for (let at = 0; at < stream.length;) {
    const size = random() < 0.7 ? 1 + Math.floor(random() * 12) : 1 + Math.floor(random() * 4_000);
    reads.push(stream.subarray(at, at + size));
    at += size;
  }
  return reads;
}

const through = (reads: Buffer[]) => {
  const coalescer = new FrameCoalescer();
  return reads.map((read) => coalescer.transform(read));
};

describe('joining small frames before ws reads them', () => {
  it('turns a PUBACK sent as three frames in one read into one frame of the same bytes', () => {
    const random = seededRandom(1);
    const puback = [[0x40], [0x02], [0x00, 0x07]].map((piece) =>
      frame({ opcode: OP.binary, payload: Buffer.from(piece) }, random),
    );
    const [out] = through([Buffer.concat(puback)]);
    // FIN + binary, masked, 4 bytes, a zero mask key, then the packet itself.
    expect(out).toEqual(Buffer.from([0x82, 0x84, 0, 0, 0, 0, 0x40, 0x02, 0x00, 0x07]));
    expect(seenByWs([out!])).toEqual(['binary 40020007']);
  });

  it('hands a lone frame, and frames that are not plain binary, over as they came', () => {
    const random = seededRandom(2);
    const lone = frame({ opcode: OP.binary, payload: Buffer.from([1, 2, 3]) }, random);
    expect(through([lone])[0]).toEqual(lone);
    const others = Buffer.concat([
      frame({ opcode: OP.ping, payload: Buffer.from('p') }, random),
      frame({ opcode: OP.text, payload: Buffer.from('t') }, random),
      frame({ opcode: OP.binary, payload: Buffer.from('f'), fin: false }, random),
      frame({ opcode: OP.continuation, payload: Buffer.from('g') }, random),
    ]);
    expect(through([others])[0]).toEqual(others);
  });

  it('keeps a control frame between joined runs in its place', () => {
    const random = seededRandom(3);
    const reads = [
      Buffer.concat([
        frame({ opcode: OP.binary, payload: Buffer.from([1]) }, random),
        frame({ opcode: OP.binary, payload: Buffer.from([2]) }, random),
        frame({ opcode: OP.ping, payload: Buffer.from([9]) }, random),
        frame({ opcode: OP.binary, payload: Buffer.from([3]) }, random),
        frame({ opcode: OP.binary, payload: Buffer.from([4]) }, random),
      ]),
    ];
    expect(seenByWs(through(reads))).toEqual(['binary 0102', 'ping 09', 'binary 0304']);
  });

  it('never joins more than MAX_JOINED_PAYLOAD_BYTES into one frame', () => {
    const random = seededRandom(4);
    const frames = Array.from({ length: 400 }, () =>
      frame({ opcode: OP.binary, payload: bytes(random, 5) }, random),
    );
    const stream = Buffer.concat(frames);
    const receiver = new Receiver({ isServer: true, maxPayload: MAX_PAYLOAD });
    const sizes: number[] = [];
    receiver.on('message', (data: Buffer) => sizes.push(data.length));
    for (const read of through([stream])) receiver.write(read);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2_000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_JOINED_PAYLOAD_BYTES);
    expect(sizes.length).toBeLessThan(10);
  });

  it('changes nothing ws sees, for any mix of frames cut into reads anywhere', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const random = seededRandom(seed);
      const reads = cut(Buffer.concat(randomFrames(random)), random);
      // Fresh copies for each side: ws unmasks the bytes it is given in place.
      const copies = () => reads.map((read) => Buffer.from(read));
      expect(seenByWs(through(copies())), `seed ${seed}`).toEqual(seenByWs(copies()));
    }
  });
});
