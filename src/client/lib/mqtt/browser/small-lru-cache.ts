// mqtt.js imports lru-cache (≈16 KB minified, ≈5 KB gzip) for one thing: the topic aliases
// it sends to an MQTT 5 broker that offers them (topic-alias-send.js, built at a CONNACK
// with topicAliasMaximum; EMQX offers them, the embedded broker speaks 3.1.1). That uses
// `new LRUCache({ max })`, get, set, size, clear and keys(), and this is those, on a Map:
// its order of insertion is the order of use, the least recently used first. Tested
// against lru-cache itself (test/client/lib/mqtt/small-lru-cache.test.ts).

export class LRUCache<K, V> {
  readonly #max: number;
  readonly #entries = new Map<K, V>();

  constructor({ max }: { max: number }) {
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key) as V;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Sets it as the most recently used; past `max`, the least recently used goes. */
  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#max) {
      this.#entries.delete(this.#entries.keys().next().value as K);
    }
    return this;
  }

  clear(): void {
    this.#entries.clear();
  }

  /** The most recently used first, as lru-cache lists them. */
  *keys(): IterableIterator<K> {
    yield* [...this.#entries.keys()].reverse();
  }
}
