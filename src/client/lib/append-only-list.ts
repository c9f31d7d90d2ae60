/** What a list component reads: arrays have it too. */
export interface ReadonlyList<T> {
  readonly length: number;
  /** The item at `index`, counting back from the end when negative (as `Array#at`). */
  at(index: number): T | undefined;
}

/**
 * An immutable list that shares its storage with the list it was appended to.
 *
 * A chat room's timeline grows by a few messages a frame to tens of thousands; copying it
 * on every change, as an immutable array must, made each frame's allocation grow with
 * the room (arrays of that size go to V8's large-object space, and are what major garbage
 * collections are made of). Here the newest list on a buffer appends in place and the
 * older lists keep seeing only their first `length` items, which never change. Appending
 * to an older list, which would overwrite what a newer one holds, copies instead.
 */
export class AppendOnlyList<T> implements ReadonlyList<T> {
  private constructor(
    private readonly buffer: T[],
    readonly length: number,
  ) {}

  /** Takes `items` over: the caller must not change that array afterwards. */
  static adopt<T>(items: T[]): AppendOnlyList<T> {
    return new AppendOnlyList(items, items.length);
  }

  at(index: number): T | undefined {
    // The virtualizer asks for every row's key on each render: the common case first.
    if (index >= 0) return index < this.length ? this.buffer[index] : undefined;
    return index >= -this.length ? this.buffer[this.length + index] : undefined;
  }

  /** This list with `items` at its end. */
  concat(items: readonly T[]): AppendOnlyList<T> {
    if (items.length === 0) return this;
    const buffer = this.buffer.length === this.length ? this.buffer : this.toArray();
    for (const item of items) buffer.push(item);
    return new AppendOnlyList(buffer, buffer.length);
  }

  /** Whether this list is `earlier` with items appended (or `earlier` itself). */
  continues(earlier: AppendOnlyList<T>): boolean {
    return this.buffer === earlier.buffer && this.length >= earlier.length;
  }

  /** A copy of the items, to change or to hand to code that wants an array. */
  toArray(): T[] {
    return this.buffer.slice(0, this.length);
  }
}
