import { describe, expect, it } from 'vitest';
import { RetainedIndex, type RetainablePacket } from '../../../src/server/broker/retained-index';

const packet = (topic: string, payload: string, qos = 0): RetainablePacket => ({
  topic,
  payload: Buffer.from(payload),
  qos,
});

/** A disk whose writes finish only when the test says so. */
function slowDisk() {
  const written: string[] = [];
  const pending: (() => void)[] = [];
  const write = (p: RetainablePacket) =>
    new Promise<void>((resolve) => {
      pending.push(() => {
        written.push(`${p.topic}=${p.payload.toString()}`);
        resolve();
      });
    });
  /** Finishes the oldest write and lets the index start the next. */
  const finishOne = async () => {
    pending.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { write, written, pending, finishOne };
}

const topicsOf = (index: RetainedIndex, filter: string) =>
  [...index.match(filter)].map((p) => `${p.topic}=${p.payload.toString()}`);

describe('RetainedIndex', () => {
  it('serves the latest value of each topic at once, before it is on disk', () => {
    const disk = slowDisk();
    const index = new RetainedIndex(disk.write, () => {});
    index.store(packet('$demo/agents/a1/state', 'v1'));
    index.store(packet('$demo/agents/a1/state', 'v2'));
    index.store(packet('$demo/agents/a2/state', 'w1', 1));
    expect(topicsOf(index, '$demo/agents/+/state')).toEqual([
      '$demo/agents/a1/state=v2',
      '$demo/agents/a2/state=w1',
    ]);
    expect([...index.match('$demo/agents/a2/state')][0]).toMatchObject({
      cmd: 'publish',
      qos: 1,
      retain: true,
    });
  });

  it('waits, then writes each topic’s latest value once per pass, in order', async () => {
    const disk = slowDisk();
    const index = new RetainedIndex(disk.write, () => {}, 20);
    index.store(packet('$demo/t', '1'));
    index.store(packet('$demo/t', '2'));
    index.store(packet('$demo/u', 'x'));
    expect(disk.pending).toHaveLength(0); // nothing written yet: more values may come
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(disk.pending).toHaveLength(1); // one write at a time
    index.store(packet('$demo/t', '3')); // while the first pass is writing
    await disk.finishOne();
    await disk.finishOne();
    expect(disk.pending).toHaveLength(0); // the next pass waits again
    await new Promise((resolve) => setTimeout(resolve, 40));
    await disk.finishOne();
    await index.flush();
    expect(disk.written).toEqual(['$demo/t=2', '$demo/u=x', '$demo/t=3']);
  });

  it('writes at once when flushed (the broker closing)', async () => {
    const written: string[] = [];
    const index = new RetainedIndex(
      async (p) => void written.push(`${p.topic}=${p.payload.toString()}`),
      () => {},
      60_000,
    );
    index.store(packet('$demo/t', 'v'));
    await index.flush(); // without the minute-long wait (the test would time out)
    expect(written).toEqual(['$demo/t=v']);
    index.store(packet('$demo/t', 'w'));
    await index.flush();
    expect(written).toEqual(['$demo/t=v', '$demo/t=w']);
  });

  it('clears a topic on an empty payload, and writes the clear', async () => {
    const written: string[] = [];
    const index = new RetainedIndex(
      async (p) => {
        written.push(`${p.topic}=${p.payload.length}`);
      },
      () => {},
    );
    index.store(packet('$demo/t', 'v'));
    await index.flush();
    index.store(packet('$demo/t', ''));
    expect(topicsOf(index, '$demo/#')).toEqual([]);
    await index.flush();
    expect(written).toEqual(['$demo/t=1', '$demo/t=0']);
  });

  it('keeps orgs apart and applies the `$` rule to wildcard-led filters', () => {
    const index = new RetainedIndex(
      async () => {},
      () => {},
    );
    index.store(packet('$demo/agents/a1/state', 'd'));
    index.store(packet('$acme/agents/a1/state', 'a'));
    expect(topicsOf(index, '$demo/#')).toEqual(['$demo/agents/a1/state=d']);
    expect(topicsOf(index, '#')).toEqual([]);
    expect(topicsOf(index, '+/agents/+/state')).toEqual([]);
  });

  it('reports a failed write and goes on with the next', async () => {
    const failures: string[] = [];
    const written: string[] = [];
    const index = new RetainedIndex(
      async (p) => {
        if (p.topic === '$demo/bad') throw new Error('disk full');
        written.push(p.topic);
      },
      (error, topic) => failures.push(`${topic}: ${(error as Error).message}`),
    );
    index.store(packet('$demo/bad', 'v'));
    index.store(packet('$demo/good', 'v'));
    await index.flush();
    expect(failures).toEqual(['$demo/bad: disk full']);
    expect(written).toEqual(['$demo/good']);
    expect(topicsOf(index, '$demo/bad')).toEqual(['$demo/bad=v']); // still served
  });

  it('keeps a payload of its own, not a view into the chunk it was parsed from', () => {
    const index = new RetainedIndex(
      async () => {},
      () => {},
    );
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    index.store({ topic: '$demo/t', payload: chunk.subarray(100, 110), qos: 0 });
    const [kept] = [...index.match('$demo/t')];
    expect(kept?.payload.toString()).toBe('aaaaaaaaaa');
    expect(kept?.payload.buffer.byteLength).toBe(10);
  });

  it('loads what is on disk', async () => {
    const index = new RetainedIndex(
      async () => {},
      () => {},
    );
    async function* stored() {
      yield packet('$demo/a', '1');
      yield packet('$demo/b', '2');
    }
    await index.load(stored());
    expect(topicsOf(index, '$demo/+')).toEqual(['$demo/a=1', '$demo/b=2']);
  });
});
