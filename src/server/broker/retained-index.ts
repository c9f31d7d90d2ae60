import { levelsMatch } from '../../shared/topic-filter';

export interface RetainedPacket {
  cmd: 'publish';
  topic: string;
  payload: Buffer;
  qos: number;
  retain: true;
}

interface Entry {
  packet: RetainedPacket;
  levels: string[];
}

/** What aedes hands the persistence to retain. */
export interface RetainablePacket {
  topic: string;
  payload: Buffer | Uint8Array | string;
  qos: number;
}

/**
 * How long a retained value waits before it is written to disk. Agent states change many
 * times a second; written as soon as the disk was free, every intermediate state went to
 * LevelDB at ≈ 11 µs of the event loop each: at 5,000 states/s over 100 agents, 22 % of
 * the server process' busy time (4 % with the wait). Waiting, each topic's latest value
 * is written once per pass. A crash loses at most about this much of the newest states
 * (the value before stays retained); closing the broker writes at once.
 */
export const RETAINED_WRITE_BEHIND_MS = 100;

/**
 * The broker's retained messages, held in memory and written behind to disk in order.
 *
 * aedes-persistence-level walks and decodes every retained message on disk for each
 * SUBSCRIBE (10,000 agent states took 2.4× Mosquitto's time to reach a new subscriber),
 * and starts each store at once, so two stores of one topic could land out of order and
 * leave an older state retained. Here reads come from memory, grouped by the first topic
 * level (the org's mount point), and each topic's latest value is written after the one
 * before it; values that are superseded before their turn are never written at all.
 */
export class RetainedIndex {
  /** First topic level → topic → entry. */
  private readonly byRoot = new Map<string, Map<string, Entry>>();
  /** Topic → latest packet not yet handed to the disk. */
  private readonly unwritten = new Map<string, RetainablePacket>();
  private writing: Promise<void> | null = null;
  /** Ends the current wait before a pass early; set while one is waiting. */
  private hurry: (() => void) | null = null;
  private flushing = 0;

  constructor(
    private readonly write: (packet: RetainablePacket) => Promise<void>,
    private readonly onWriteError: (error: unknown, topic: string) => void,
    private readonly writeBehindMs = RETAINED_WRITE_BEHIND_MS,
  ) {}

  /** Fills the index from what is on disk, at start-up. */
  async load(stored: AsyncIterable<unknown>): Promise<void> {
    for await (const packet of stored) this.remember(packet as RetainablePacket);
  }

  /** Keeps the packet (an empty payload clears the topic) and queues it for the disk. */
  store(packet: RetainablePacket): void {
    this.remember(packet);
    this.unwritten.set(packet.topic, packet);
    this.writing ??= this.drain();
  }

  /** Retained packets whose topic matches a valid filter. */
  *match(filter: string): Generator<RetainedPacket> {
    const levels = filter.split('/');
    const root = levels[0] ?? '';
    const wildcardLed = root === '+' || root === '#';
    const roots = wildcardLed ? this.byRoot : new Map([[root, this.byRoot.get(root)]]);
    for (const [topicRoot, entries] of roots) {
      // [MQTT-4.7.2-1]: a wildcard-led filter matches no `$` topic.
      if (!entries || (wildcardLed && topicRoot.startsWith('$'))) continue;
      for (const { packet, levels: topicLevels } of entries.values()) {
        if (levelsMatch(levels, topicLevels)) yield packet;
      }
    }
  }

  /** Writes what waits at once; resolves once it is on disk (or failed and was reported). */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      this.hurry?.();
      while (this.writing) await this.writing;
    } finally {
      this.flushing--;
    }
  }

  private remember(packet: RetainablePacket): void {
    const levels = packet.topic.split('/');
    const root = levels[0] ?? '';
    const payload = ownedCopy(packet.payload);
    let entries = this.byRoot.get(root);
    if (payload.length === 0) {
      entries?.delete(packet.topic);
      if (entries?.size === 0) this.byRoot.delete(root);
      return;
    }
    if (!entries) {
      entries = new Map();
      this.byRoot.set(root, entries);
    }
    const stored: RetainedPacket = {
      cmd: 'publish',
      topic: packet.topic,
      payload,
      qos: packet.qos,
      retain: true,
    };
    entries.set(packet.topic, { packet: stored, levels });
  }

  /** Passes until nothing waits: a pause, then each topic's latest value, one at a time. */
  private async drain(): Promise<void> {
    while (this.unwritten.size > 0) {
      if (this.flushing === 0) await this.pause();
      const pass = [...this.unwritten.values()];
      this.unwritten.clear();
      for (const packet of pass) {
        try {
          await this.write(packet);
        } catch (error) {
          this.onWriteError(error, packet.topic);
        }
      }
    }
    this.writing = null;
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.hurry = null;
        resolve();
      };
      const timer = setTimeout(done, this.writeBehindMs);
      this.hurry = done;
    });
  }
}

/**
 * The payload in memory of its own. A parsed payload is usually a view into the whole
 * chunk read from the socket; kept as it is, one small retained state could hold tens of
 * kilobytes alive for as long as it is retained. The copy is not taken from Node's shared
 * pool either, as Node's docs advise for small buffers kept indefinitely.
 */
function ownedCopy(payload: Buffer | Uint8Array | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) {
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer);
  }
  const copy = Buffer.allocUnsafeSlow(bytes.byteLength);
  copy.set(bytes);
  return copy;
}
