import { beforeEach, describe, expect, it } from 'vitest';
import { useChatStore } from '../../../../src/client/features/chat/stores/chat-store';

const msg = (id: string, from = 'bob') => ({ id, from, text: `text ${id}`, sentAt: 1 });

const status = (id: string) =>
  useChatStore
    .getState()
    .live.general?.toArray()
    .find((m) => m.id === id)?.status;

describe('chat store', () => {
  beforeEach(() => useChatStore.getState().setMe('alice'));

  it('counts unread messages from others in rooms that are not open', () => {
    const chat = useChatStore.getState();
    chat.setActiveRoom('general');
    chat.receive('general', msg('1'));
    chat.receive('random', msg('2'));
    chat.receive('random', msg('3'));
    chat.receive('random', msg('3')); // QoS 1 redelivery
    chat.receive('random', msg('4', 'alice')); // our own, from another tab
    expect(useChatStore.getState().unread).toEqual({ random: 2 });

    useChatStore.getState().setActiveRoom('random');
    expect(useChatStore.getState().unread.random).toBe(0);
  });

  it('moves a pending message to acked on its PUBACK, and to sent when it comes back', () => {
    const chat = useChatStore.getState();
    chat.addPending('general', msg('p1', 'alice'));
    chat.addPending('general', msg('p2', 'alice'));
    expect(status('p1')).toBe('pending');

    expect(useChatStore.getState().markAcked('p1')).toBe('general');
    expect(useChatStore.getState().markAcked('p1')).toBeNull(); // once
    expect(status('p1')).toBe('acked');
    expect(useChatStore.getState().statusOf('general', 'p1')).toBe('acked');
    useChatStore.getState().receive('general', msg('p1', 'alice'));
    expect(status('p1')).toBe('sent');

    // Back before its PUBACK: the PUBACK changes nothing.
    useChatStore.getState().receive('general', msg('p2', 'alice'));
    expect(useChatStore.getState().markAcked('p2')).toBeNull();
    expect(status('p2')).toBe('sent');
    expect(useChatStore.getState().markAcked('not-a-chat-message')).toBeNull();
    expect(useChatStore.getState().unread).toEqual({});
  });

  it('settles only an acked message, and a refused one that comes back is sent', () => {
    const chat = useChatStore.getState();
    chat.addPending('general', msg('p1', 'alice'));
    useChatStore.getState().settle('p1', false); // no PUBACK yet: still in the outbox
    expect(status('p1')).toBe('pending');

    useChatStore.getState().markAcked('p1');
    useChatStore.getState().settle('p1', false);
    expect(status('p1')).toBe('refused');
    useChatStore.getState().receive('general', msg('p1', 'alice'));
    expect(status('p1')).toBe('sent');
    useChatStore.getState().settle('p1', false);
    expect(status('p1')).toBe('sent');

    chat.addPending('general', msg('p2', 'alice'));
    useChatStore.getState().markAcked('p2');
    useChatStore.getState().settle('p2', true);
    expect(status('p2')).toBe('sent');
  });

  it('discards only a refused message, and one shown again after a reload', () => {
    const chat = useChatStore.getState();
    chat.addPending('general', msg('p1', 'alice'));
    chat.addPending('general', msg('p2', 'alice'));
    chat.restoreRefused('general', msg('r1', 'alice'));
    chat.receive('general', msg('b1'));
    useChatStore.getState().markRefused('p1', { by: 'broker', reasonCode: 0x87 });

    for (const id of ['p2', 'b1', 'unknown']) {
      expect(useChatStore.getState().discard('general', id)).toBe(false);
    }
    expect(useChatStore.getState().discard('random', 'p1')).toBe(false); // another room
    expect(useChatStore.getState().discard('general', 'p1')).toBe(true);
    expect(useChatStore.getState().discard('general', 'r1')).toBe(true);
    const ids = useChatStore
      .getState()
      .live.general?.toArray()
      .map((m) => m.id);
    expect(ids?.sort()).toEqual(['b1', 'p2']);
    expect(useChatStore.getState().statusOf('general', 'r1')).toBeUndefined();
  });

  it('lists our refused messages apart, with why, until they are sent after all or discarded', () => {
    const chat = useChatStore.getState();
    const refusedIds = () =>
      Object.fromEntries(
        Object.entries(useChatStore.getState().refused).map(([room, messages]) => [
          room,
          messages.map((m) => m.id),
        ]),
      );
    chat.addPending('general', msg('p1', 'alice'));
    chat.addPending('general', msg('p2', 'alice'));
    chat.addPending('random', msg('p3', 'alice'));
    chat.restoreRefused('random', msg('r1', 'alice')); // kept from before a reload, reason unknown
    useChatStore.getState().markRefused('p1', { by: 'client', reason: 'invalid topic name' });
    useChatStore.getState().markAcked('p2');
    useChatStore.getState().settle('p2', false);
    useChatStore.getState().markAcked('p3');
    useChatStore.getState().settle('p3', true);
    expect(refusedIds()).toEqual({ general: ['p1', 'p2'], random: ['r1'] });
    expect(useChatStore.getState().refused.general?.map((m) => m.refusal)).toEqual([
      { by: 'client', reason: 'invalid topic name' },
      { by: 'unrouted' },
    ]);
    expect(useChatStore.getState().refused.random?.[0]?.refusal).toBeUndefined();

    const random = useChatStore.getState().refused.random;
    useChatStore.getState().receive('general', msg('p1', 'alice')); // its echo: delivered
    expect(status('p1')).toBe('sent');
    expect(useChatStore.getState().refused.random).toBe(random); // other rooms untouched
    useChatStore.getState().foundInHistory('general', ['p2', 'b1']); // history has it after all
    expect(status('p2')).toBe('sent');
    expect(
      useChatStore
        .getState()
        .live.general?.toArray()
        .find((m) => m.id === 'p2')?.refusal,
    ).toBeUndefined();
    useChatStore.getState().foundInHistory('random', ['p3']); // sent already: stays so
    expect(useChatStore.getState().statusOf('random', 'p3')).toBe('sent');
    expect(refusedIds()).toEqual({ random: ['r1'] });
    useChatStore.getState().discard('random', 'r1');
    expect(useChatStore.getState().refused).toEqual({});
  });

  it('takes another sender’s message with the id of one of ours for nothing of ours', () => {
    const chat = useChatStore.getState();
    chat.restoreRefused('general', msg('r1', 'alice'), { by: 'broker', reasonCode: 0x87 });
    chat.addPending('general', msg('p1', 'alice'));
    const refused = useChatStore.getState().refused;
    useChatStore.getState().receiveBatch([
      { room: 'general', message: { ...msg('r1', 'mallory'), text: 'not yours' } },
      { room: 'general', message: { ...msg('p1', 'mallory'), text: 'nor this' } },
    ]);
    expect(useChatStore.getState().refused).toBe(refused); // still kept, text and all
    expect(useChatStore.getState().live.general?.toArray()).toEqual([
      { ...msg('p1', 'alice'), status: 'pending' },
      { ...msg('r1', 'alice'), status: 'refused', refusal: { by: 'broker', reasonCode: 0x87 } },
    ]);
    expect(useChatStore.getState().markAcked('p1')).toBe('general'); // ours, still waiting

    useChatStore.getState().receive('general', msg('r1', 'alice')); // our own copy: delivered
    expect(status('r1')).toBe('sent');
    expect(useChatStore.getState().refused).toEqual({});
  });

  it('finds in history only the room’s own message, when another room has that id too', () => {
    const chat = useChatStore.getState();
    chat.restoreRefused('general', msg('r1', 'alice'));
    chat.restoreRefused('random', msg('r1', 'alice'));
    useChatStore.getState().foundInHistory('random', ['r1']);
    expect(useChatStore.getState().statusOf('random', 'r1')).toBe('sent');
    expect(useChatStore.getState().statusOf('general', 'r1')).toBe('refused');
    expect(useChatStore.getState().refused.general?.map((m) => m.id)).toEqual(['r1']);
    expect(useChatStore.getState().refused.random).toBeUndefined();
  });

  it('keeps each room ordered by (sentAt, id) as messages arrive, late ones included', () => {
    const at = (id: string, sentAt: number) => ({ ...msg(id), sentAt });
    useChatStore.getState().receiveBatch([
      { room: 'general', message: at('c', 3) },
      { room: 'general', message: at('a', 1) },
      { room: 'general', message: at('e', 5) },
    ]);
    useChatStore.getState().receive('general', at('d', 3)); // same time as c: by id
    useChatStore.getState().receive('general', at('b', 1));
    useChatStore.getState().receive('general', at('f', 9));
    expect(
      useChatStore
        .getState()
        .live.general?.toArray()
        .map((m) => m.id),
    ).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('gives a new array only to the rooms that changed, and none on a redelivery', () => {
    const chat = useChatStore.getState();
    chat.receive('general', msg('1'));
    chat.receive('random', msg('2'));
    const before = useChatStore.getState();
    useChatStore.getState().receive('random', msg('3'));
    const after = useChatStore.getState();
    expect(after.live.general).toBe(before.live.general);
    expect(after.live.random).not.toBe(before.live.random);
    expect(before.live.random?.toArray().map((m) => m.id)).toEqual(['2']); // never changed in place

    useChatStore.getState().receive('random', msg('3'));
    expect(useChatStore.getState()).toBe(after);
  });

  it('appends to a room without copying it, and copies for a message that sorts earlier', () => {
    const at = (id: string, sentAt: number) => ({ ...msg(id), sentAt });
    useChatStore.getState().receive('general', at('b', 2));
    const first = useChatStore.getState().live.general;
    useChatStore.getState().receive('general', at('c', 3));
    const appended = useChatStore.getState().live.general;
    expect(first && appended?.continues(first)).toBe(true);
    useChatStore.getState().receive('general', at('a', 1)); // late: sorts first
    const inserted = useChatStore.getState().live.general;
    expect(appended && inserted?.continues(appended)).toBe(false);
    expect(inserted?.toArray().map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(appended?.toArray().map((m) => m.id)).toEqual(['b', 'c']);
    expect(first?.toArray().map((m) => m.id)).toEqual(['b']);
  });

  it('remembers the newest live message from someone else per room, for announcing', () => {
    const chat = useChatStore.getState();
    chat.receiveBatch([
      { room: 'general', message: msg('1') },
      { room: 'general', message: msg('2', 'carol') },
      { room: 'general', message: msg('3', 'alice') }, // ours
    ]);
    expect(useChatStore.getState().latestFromOthers.general?.id).toBe('2');
    useChatStore.getState().receive('general', msg('1')); // redelivery: not news
    expect(useChatStore.getState().latestFromOthers.general?.id).toBe('2');
  });
});
