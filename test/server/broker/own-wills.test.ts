import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { deleteOnlyOwnWills, type WillStore } from '../../../src/server/broker/own-wills';

// The will rule against a store that takes its time, as LevelDB does: each call settles a
// few microtask turns later, so calls of one id can interleave unless the rule orders them.

const BROKER = 'live';
const ID = 'demo:alice:alice-tab';

interface StoredWill {
  brokerId: string;
  payload: string;
}

/** aedes-persistence-level's will calls, in memory; `onDelete` runs as a delete starts. */
function slowStore() {
  const wills = new Map<string, StoredWill>();
  const later = async () => {
    for (let i = 0; i < 3; i++) await Promise.resolve();
  };
  const hooks = { onDelete: null as (() => void) | null };
  const store: WillStore = {
    async putWill(client, packet) {
      await later();
      wills.set(client.id, { ...(packet as { payload: string }), brokerId: BROKER });
    },
    async getWill(client) {
      await later();
      return wills.get(client.id);
    },
    // Like aedes-persistence-level: whatever the id holds once the delete gets to it.
    async delWill(client) {
      const hook = hooks.onDelete;
      hooks.onDelete = null;
      hook?.();
      await later();
      await later();
      wills.delete(client.id);
    },
  };
  return { store, wills, hooks };
}

describe('deleteOnlyOwnWills', () => {
  it('stores a newer connection’s will after an older one’s delete, never under it', async () => {
    const { store, wills, hooks } = slowStore();
    deleteOnlyOwnWills(store);
    const older = { id: ID, closed: false };
    const newer = { id: ID, closed: false };
    await store.putWill(older, { payload: 'older' });
    older.closed = true;
    // The newer connection stores its will once the older one's delete has passed its
    // checks: between them, its put would be deleted unseen.
    let newerStored!: Promise<void>;
    hooks.onDelete = () => (newerStored = store.putWill(newer, { payload: 'newer' }));
    await store.delWill({ id: ID, brokerId: BROKER });
    await newerStored;
    expect(wills.get(ID)?.payload).toBe('newer');
  });

  it('stores no will for a connection that closed before its will got to the store', async () => {
    const { store, wills } = slowStore();
    deleteOnlyOwnWills(store);
    const dropped = { id: ID, closed: false };
    // Its close's delete ran first (nothing stored yet); then its CONNECT's put comes.
    dropped.closed = true;
    await store.delWill({ id: ID, brokerId: BROKER });
    await store.putWill(dropped, { payload: 'dropped' });
    expect(wills.has(ID)).toBe(false);
  });

  it('lets go of a closed connection whose delete finds nothing of its own to delete', async () => {
    const { store, wills } = slowStore();
    deleteOnlyOwnWills(store);
    // The connection is referred to only in here, and by the rule if it keeps it.
    const goneRef = await (async () => {
      const gone = { id: ID, closed: false };
      await store.putWill(gone, { payload: 'gone' });
      // Another run's will took its place (or the delete's read failed): nothing to delete.
      wills.set(ID, { brokerId: 'another-run', payload: 'of another broker' });
      gone.closed = true;
      await store.delWill({ id: ID, brokerId: BROKER });
      return new WeakRef(gone);
    })();
    expect(wills.get(ID)?.payload).toBe('of another broker');
    // A connection kept in memory holds its socket and buffers: it must be collectable.
    await new Promise((resolve) => setTimeout(resolve, 0)); // WeakRefs hold to a job's end
    collectGarbage();
    expect(goneRef.deref()).toBeUndefined();
  });
});

/** A full collection, without starting the test process with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
