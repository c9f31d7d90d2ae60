import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEchoWatch } from '../../../src/client/app/watch-chat-echoes';
import { useChatStore } from '../../../src/client/features/chat/stores/chat-store';
import { useConnectionStore } from '../../../src/client/features/connection/stores/connection-store';

// A chat message the broker acknowledged but never sent back was refused (MQTT 3.1.1 has
// no negative PUBACK): it shows as not delivered.

const TIMEOUT_MS = 1_000;
const mine = (id: string) => ({ id, from: 'alice', text: `text ${id}`, sentAt: 1 });
const status = (id: string) =>
  useChatStore
    .getState()
    .live.general?.toArray()
    .find((m) => m.id === id)?.status;
const connection = useConnectionStore.getState;

/** alice's message `id`, acknowledged by the broker and watched from now. */
function acked(watch: ReturnType<typeof createEchoWatch>, id: string) {
  useChatStore.getState().addPending('general', mine(id));
  expect(useChatStore.getState().markAcked(id)).toBe(true);
  watch.acked(id);
}

describe('createEchoWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useChatStore.getState().setMe('alice');
    connection().setState({ status: 'connected' });
  });
  afterEach(() => vi.useRealTimers());

  it('marks a message that never comes back refused, and leaves one that does', () => {
    const watch = createEchoWatch(TIMEOUT_MS);
    acked(watch, 'dropped');
    acked(watch, 'routed');
    vi.advanceTimersByTime(TIMEOUT_MS / 2);
    useChatStore.getState().receive('general', mine('routed'));
    expect(status('dropped')).toBe('acked');

    vi.advanceTimersByTime(TIMEOUT_MS / 2);
    expect(status('dropped')).toBe('refused');
    expect(status('routed')).toBe('sent');
  });

  it('waits again while disconnected, and after a reconnect, for the session’s queue', () => {
    const watch = createEchoWatch(TIMEOUT_MS);
    acked(watch, 'm1');
    connection().setState({ status: 'reconnecting', attempt: 1, nextRetryAt: 0 });
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(status('m1')).toBe('acked');

    connection().setState({ status: 'connected' }); // a new connection since the PUBACK
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(status('m1')).toBe('acked');
    vi.advanceTimersByTime(TIMEOUT_MS); // a whole wait on this connection
    expect(status('m1')).toBe('refused');
  });

  it('marks nothing once cancelled', () => {
    const watch = createEchoWatch(TIMEOUT_MS);
    acked(watch, 'm1');
    watch.cancel();
    vi.advanceTimersByTime(TIMEOUT_MS * 3);
    expect(status('m1')).toBe('acked');
    expect(vi.getTimerCount()).toBe(0);
  });
});
