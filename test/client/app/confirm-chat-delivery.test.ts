import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createDeliveryCheck,
  type LookupMessage,
} from '../../../src/client/app/confirm-chat-delivery';
import { useChatStore } from '../../../src/client/features/chat/stores/chat-store';
import { ApiError, NETWORK_ERROR_CODE } from '../../../src/client/lib/api/api-error';
import type { ChatMessage } from '../../../src/shared/schemas';

// A chat message the broker acknowledged and did not record was refused (MQTT 3.1.1 has no
// negative PUBACK): it shows as not delivered. One that comes back needs no question.

const WAIT_MS = 1_000;
const mine = (id: string, from = 'alice'): ChatMessage => ({
  id,
  from,
  text: `t ${id}`,
  sentAt: 1,
});
const status = (id: string) => useChatStore.getState().statusOf('general', id);

/** A lookup the test answers: what the history holds, or a failure. */
function history(answer: (id: string) => ChatMessage | null | Error) {
  const asked: string[] = [];
  const lookup: LookupMessage = async (room, id) => {
    asked.push(`${room}/${id}`);
    const found = answer(id);
    if (found instanceof Error) throw found;
    return found;
  };
  return { asked, lookup };
}

function acked(check: ReturnType<typeof createDeliveryCheck>, id: string) {
  useChatStore.getState().addPending('general', mine(id));
  expect(useChatStore.getState().markAcked(id)).toBe('general');
  check.acked('general', id);
}

describe('createDeliveryCheck', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useChatStore.getState().setMe('alice');
  });
  afterEach(() => vi.useRealTimers());

  it('asks nothing about a message that came back, and settles the others by the history', async () => {
    const { asked, lookup } = history((id) => (id === 'recorded' ? mine(id) : null));
    const check = createDeliveryCheck(lookup, WAIT_MS);
    for (const id of ['echoed', 'recorded', 'dropped']) acked(check, id);
    useChatStore.getState().receive('general', mine('echoed'));

    await vi.advanceTimersByTimeAsync(WAIT_MS);
    expect(asked.sort()).toEqual(['general/dropped', 'general/recorded']);
    expect(status('echoed')).toBe('sent');
    expect(status('recorded')).toBe('sent'); // routed, though nothing came back
    expect(status('dropped')).toBe('refused');
  });

  it('leaves a message as it is when the server cannot tell, and asks no more', async () => {
    const { asked, lookup } = history(
      () => new ApiError(409, 'message_id_taken', 'another sender has that id'),
    );
    const check = createDeliveryCheck(lookup, WAIT_MS);
    acked(check, 'm1');
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    check.connected();
    await vi.advanceTimersByTimeAsync(0);
    expect(status('m1')).toBe('acked');
    expect(asked).toEqual(['general/m1']);
  });

  it('asks again after a reconnect what it could not ask while the server was unreachable', async () => {
    let reachable = false;
    const { asked, lookup } = history(() =>
      reachable ? null : new ApiError(0, NETWORK_ERROR_CODE, 'offline'),
    );
    const check = createDeliveryCheck(lookup, WAIT_MS);
    acked(check, 'm1');
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    expect(status('m1')).toBe('acked');
    reachable = true;
    check.connected();
    await vi.advanceTimersByTimeAsync(0);
    expect(status('m1')).toBe('refused');
    expect(asked).toEqual(['general/m1', 'general/m1']);
  });

  it('marks nothing once cancelled, even with an answer on its way', async () => {
    let answer: (found: ChatMessage | null) => void = () => {};
    const check = createDeliveryCheck(() => new Promise((resolve) => (answer = resolve)), WAIT_MS);
    acked(check, 'asked');
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    acked(check, 'waiting');
    check.cancel();
    answer(null);
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    expect(status('asked')).toBe('acked');
    expect(status('waiting')).toBe('acked');
    expect(vi.getTimerCount()).toBe(0);
  });
});
