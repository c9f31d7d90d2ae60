import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createDeliveryCheck,
  type LookupMessage,
} from '../../../src/client/app/confirm-chat-delivery';
import { http, HttpResponse } from 'msw';
import { fetchRoomMessage } from '../../../src/client/features/chat/api/get-room-message';
import { useChatStore } from '../../../src/client/features/chat/stores/chat-store';
import { ApiError, NETWORK_ERROR_CODE } from '../../../src/client/lib/api/api-error';
import { Outbox } from '../../../src/client/lib/mqtt/outbox';
import type { PublishRefusal } from '../../../src/client/lib/mqtt/publish-refusal';
import type { ChatMessage } from '../../../src/shared/schemas';
import { server } from '../support/msw-server';

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

const OUTBOX_KEY = 'test-outbox';

/** What the connection gives the check: its outbox, and a way to hear refusals. */
function connectionWith(outbox: Outbox) {
  let refuse: (id: string, refusal: PublishRefusal) => void = () => {};
  return {
    connection: {
      outbox,
      onPublishRefused: (listener: typeof refuse) => {
        refuse = listener;
        return () => {};
      },
    },
    refuse: (id: string, reasonCode: number) => refuse(id, { by: 'broker', reasonCode }),
  };
}

/** Our message `id`, sent and acknowledged in the tab's life before this one. */
function ackedBeforeReload(id: string, from = 'alice') {
  return ackedThrough(new Outbox(sessionStorage, OUTBOX_KEY), id, from);
}

/** Our message `id`, sent through `outbox` and acknowledged. */
/** `message`, sent in #general to be confirmed, as useSendMessage puts it in the outbox. */
function addSent(outbox: Outbox, message: ChatMessage): void {
  outbox.add({
    id: message.id,
    topic: 'chat/general/messages',
    payload: JSON.stringify(message),
    qos: 1,
    retain: false,
    confirm: true,
  });
}

function ackedThrough(outbox: Outbox, id: string, from = 'alice') {
  const message = { ...mine(id, from), text: `typed before the reload (${id})` };
  addSent(outbox, message);
  outbox.acknowledge(id);
  return message;
}

const unconfirmedIds = () =>
  new Outbox(sessionStorage, OUTBOX_KEY).listUnconfirmed().map((entry) => entry.id);
const refusedIds = () =>
  new Outbox(sessionStorage, OUTBOX_KEY).listRefused().map((entry) => entry.id);

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
    // An answer that asking again would not change, and that says nothing of the message.
    const { asked, lookup } = history(
      () => new ApiError(400, 'invalid_message_id', 'a message id has at most 64 characters'),
    );
    const check = createDeliveryCheck(lookup, WAIT_MS);
    acked(check, 'm1');
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    check.connected();
    await vi.advanceTimersByTimeAsync(0);
    expect(status('m1')).toBe('acked');
    expect(asked).toEqual(['general/m1']);
  });

  it('shows as not delivered a message whose id the history holds for another message of ours', async () => {
    // An id used again: the broker routes no message under an id it keeps (record-history.ts).
    const earlier: Record<string, ChatMessage> = {
      'other-text': { ...mine('other-text'), text: 'said before under this id' },
      'other-time': { ...mine('other-time'), sentAt: 0 },
      same: mine('same'),
    };
    const { lookup } = history((id) => earlier[id] ?? null);
    const outbox = new Outbox(sessionStorage, OUTBOX_KEY);
    const check = createDeliveryCheck(lookup, WAIT_MS);
    check.track(connectionWith(outbox).connection);
    for (const id of Object.keys(earlier)) {
      addSent(outbox, mine(id));
      outbox.acknowledge(id);
      acked(check, id);
    }
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    expect(status('other-text')).toBe('refused');
    expect(status('other-time')).toBe('refused');
    expect(status('same')).toBe('sent');
    // Shown with the text we sent, kept until discarded.
    expect(useChatStore.getState().refused.general).toEqual([
      { ...mine('other-text'), status: 'refused', refusal: { by: 'unrouted' } },
      { ...mine('other-time'), status: 'refused', refusal: { by: 'unrouted' } },
    ]);
    expect(refusedIds()).toEqual(['other-text', 'other-time']);
  });

  it('shows as not delivered a message whose id another sender’s message holds (409)', async () => {
    vi.useRealTimers(); // msw answers on its own time
    const asked: string[] = [];
    server.use(
      http.get('/api/rooms/:room/messages/:id', ({ params }) => {
        asked.push(`${String(params.room)}/${String(params.id)}`);
        return HttpResponse.json(
          { error: { code: 'message_id_taken', message: 'another sender’s message has the id' } },
          { status: 409 },
        );
      }),
    );
    const outbox = new Outbox(sessionStorage, OUTBOX_KEY);
    const check = createDeliveryCheck(fetchRoomMessage, 0);
    check.track(connectionWith(outbox).connection);
    ackedThrough(outbox, 'm1');
    acked(check, 'm1');
    await vi.waitFor(() => expect(status('m1')).toBe('refused'));
    expect(asked).toEqual(['general/m1']);
    expect(refusedIds()).toEqual(['m1']); // with its Discard button, until pressed
    check.cancel();
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

  it('keeps following the store no more once cancelled: what is kept is the next start’s', () => {
    ackedBeforeReload('m1');
    new Outbox(sessionStorage, OUTBOX_KEY).confirmedRefused('m1');
    const check = createDeliveryCheck(history(() => null).lookup, WAIT_MS);
    check.track(connectionWith(new Outbox(sessionStorage, OUTBOX_KEY)).connection);
    expect(status('m1')).toBe('refused');

    check.cancel(); // signed out, or the page goes: its store is no longer this session's
    useChatStore.getState().receive('general', mine('m1'));
    expect(status('m1')).toBe('sent');
    expect(refusedIds()).toEqual(['m1']);
  });

  it('after a reload, shows what was acknowledged but not confirmed, and settles it by the history', async () => {
    const refusedBefore = ackedBeforeReload('refused');
    const recorded = ackedBeforeReload('recorded');
    // The next start of the workspace: a fresh store and outbox.
    const { asked, lookup } = history((id) => (id === 'recorded' ? recorded : null));
    const check = createDeliveryCheck(lookup, WAIT_MS);
    check.track(connectionWith(new Outbox(sessionStorage, OUTBOX_KEY)).connection);
    const shownAt = (id: string) =>
      useChatStore
        .getState()
        .live.general?.toArray()
        .find((message) => message.id === id);
    expect(shownAt('refused')).toEqual({ ...refusedBefore, status: 'acked' }); // shown as sent
    expect(shownAt('recorded')).toMatchObject({ status: 'acked' });

    await vi.advanceTimersByTimeAsync(0); // asked at once: no echo to wait for
    expect(asked.sort()).toEqual(['general/recorded', 'general/refused']);
    expect(status('refused')).toBe('refused');
    expect(status('recorded')).toBe('sent');
    expect(shownAt('refused')).toEqual({
      ...refusedBefore,
      status: 'refused',
      refusal: { by: 'unrouted' },
    }); // text and all
    expect(unconfirmedIds()).toEqual([]);
  });

  it('keeps an unconfirmed message for the next start when the page goes, and forgets it once settled', async () => {
    const { asked, lookup } = history(() => null);
    const outbox = new Outbox(sessionStorage, OUTBOX_KEY);
    const check = createDeliveryCheck(lookup, WAIT_MS);
    check.track(connectionWith(outbox).connection);
    for (const id of ['going', 'echoed']) {
      addSent(outbox, mine(id));
      outbox.acknowledge(id);
      acked(check, id);
    }
    useChatStore.getState().receive('general', mine('echoed'));
    await vi.advanceTimersByTimeAsync(WAIT_MS / 2);
    check.cancel(); // the page goes before the wait is over
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    expect(asked).toEqual([]);
    expect(unconfirmedIds().sort()).toEqual(['echoed', 'going']);

    const next = createDeliveryCheck(lookup, WAIT_MS);
    useChatStore.getState().reset();
    useChatStore.getState().setMe('alice');
    next.track(connectionWith(new Outbox(sessionStorage, OUTBOX_KEY)).connection);
    await vi.advanceTimersByTimeAsync(0);
    expect(status('going')).toBe('refused');
    expect(unconfirmedIds()).toEqual([]);
  });

  it('keeps a message found refused for the next start, shown as refused without asking again', async () => {
    const { asked, lookup } = history(() => null);
    const outbox = new Outbox(sessionStorage, OUTBOX_KEY);
    const check = createDeliveryCheck(lookup, WAIT_MS);
    check.track(connectionWith(outbox).connection);
    const message = ackedThrough(outbox, 'm1');
    acked(check, 'm1');
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    expect(status('m1')).toBe('refused');
    expect(unconfirmedIds()).toEqual([]);
    expect(refusedIds()).toEqual(['m1']);

    check.cancel(); // the page goes
    useChatStore.getState().reset();
    useChatStore.getState().setMe('alice');
    createDeliveryCheck(lookup, WAIT_MS).track(
      connectionWith(new Outbox(sessionStorage, OUTBOX_KEY)).connection,
    );
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    expect(useChatStore.getState().live.general?.toArray()).toEqual([
      { ...message, status: 'refused', refusal: { by: 'unrouted' } }, // why, too
    ]);
    expect(asked).toEqual(['general/m1']); // once, before the reload
    expect(refusedIds()).toEqual(['m1']); // until the person discards it
  });

  it('keeps no more a message shown as refused that comes back after all, now or after a reload', async () => {
    const { lookup } = history(() => null);
    const outbox = new Outbox(sessionStorage, OUTBOX_KEY);
    const check = createDeliveryCheck(lookup, WAIT_MS);
    const { connection, refuse } = connectionWith(outbox);
    check.track(connection);
    for (const id of ['verdict', 'later']) {
      ackedThrough(outbox, id);
      acked(check, id);
    }
    // An MQTT 5 broker refused a resend whose first copy it had accepted (its PUBACK lost).
    addSent(outbox, mine('resent'));
    useChatStore.getState().addPending('general', mine('resent'));
    outbox.refuse('resent', { by: 'broker', reasonCode: 0x87 });
    refuse('resent', 0x87);
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    expect(refusedIds()).toEqual(['resent', 'verdict', 'later']);

    useChatStore.getState().receive('general', mine('verdict')); // routed after all
    useChatStore.getState().receive('general', mine('resent')); // the first copy's echo
    expect(status('verdict')).toBe('sent');
    expect(status('resent')).toBe('sent');
    expect(refusedIds()).toEqual(['later']);

    check.cancel(); // the page goes
    useChatStore.getState().reset();
    useChatStore.getState().setMe('alice');
    createDeliveryCheck(lookup, WAIT_MS).track(
      connectionWith(new Outbox(sessionStorage, OUTBOX_KEY)).connection,
    );
    expect(status('later')).toBe('refused');
    useChatStore.getState().receive('general', mine('later'));
    expect(refusedIds()).toEqual([]);
  });

  it('shows again why an MQTT 5 broker refused a message, after a reload', async () => {
    const outbox = new Outbox(sessionStorage, OUTBOX_KEY);
    const { connection, refuse } = connectionWith(outbox);
    const check = createDeliveryCheck(history(() => null).lookup, WAIT_MS);
    check.track(connection);
    const message = mine('m1');
    addSent(outbox, message);
    useChatStore.getState().addPending('general', message);
    outbox.refuse('m1', { by: 'broker', reasonCode: 0x97 }); // what the connection does
    refuse('m1', 0x97);
    const refused = { ...message, status: 'refused', refusal: { by: 'broker', reasonCode: 0x97 } };
    expect(useChatStore.getState().live.general?.toArray()).toEqual([refused]);

    check.cancel();
    useChatStore.getState().reset();
    useChatStore.getState().setMe('alice');
    createDeliveryCheck(history(() => null).lookup, WAIT_MS).track(
      connectionWith(new Outbox(sessionStorage, OUTBOX_KEY)).connection,
    );
    expect(useChatStore.getState().live.general?.toArray()).toEqual([refused]);
  });

  it('keeps nothing of a message whose echo came while the server was asked', async () => {
    let answer: (found: ChatMessage | null) => void = () => {};
    const outbox = new Outbox(sessionStorage, OUTBOX_KEY);
    const check = createDeliveryCheck(() => new Promise((resolve) => (answer = resolve)), WAIT_MS);
    check.track(connectionWith(outbox).connection);
    ackedThrough(outbox, 'm1');
    acked(check, 'm1');
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    useChatStore.getState().receive('general', mine('m1'));
    answer(null); // asked just before it was recorded: a stale answer
    await vi.advanceTimersByTimeAsync(0);
    expect(status('m1')).toBe('sent');
    expect(unconfirmedIds()).toEqual([]);
    expect(refusedIds()).toEqual([]);
  });

  it('forgets, without showing, what it cannot tell is ours', async () => {
    ackedBeforeReload('bobs', 'bob');
    ackedBeforeReload('bobs-refused', 'bob');
    new Outbox(sessionStorage, OUTBOX_KEY).confirmedRefused('bobs-refused');
    const { asked, lookup } = history(() => null);
    createDeliveryCheck(lookup, WAIT_MS).track(
      connectionWith(new Outbox(sessionStorage, OUTBOX_KEY)).connection,
    );
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    expect(useChatStore.getState().live).toEqual({});
    expect(asked).toEqual([]);
    expect(unconfirmedIds()).toEqual([]);
    expect(refusedIds()).toEqual([]);
  });

  it('shows a message an MQTT 5 broker refused as refused at once, asking nothing', async () => {
    const { asked, lookup } = history(() => mine('m1'));
    const check = createDeliveryCheck(lookup, WAIT_MS);
    const { connection, refuse } = connectionWith(new Outbox(sessionStorage, OUTBOX_KEY));
    check.track(connection);
    useChatStore.getState().addPending('general', mine('m1'));
    refuse('m1', 0x87);
    expect(status('m1')).toBe('refused');
    await vi.advanceTimersByTimeAsync(WAIT_MS);
    expect(asked).toEqual([]);
  });
});
