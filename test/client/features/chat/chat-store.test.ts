import { beforeEach, describe, expect, it } from 'vitest';
import { useChatStore } from '../../../../src/client/features/chat/stores/chat-store';

const msg = (id: string, from = 'bob') => ({ id, from, text: `text ${id}`, sentAt: 1 });

const status = (id: string) =>
  useChatStore.getState().live.general?.find((m) => m.id === id)?.status;

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

  it('moves a pending message to sent on its PUBACK or on its echo', () => {
    const chat = useChatStore.getState();
    chat.addPending('general', msg('p1', 'alice'));
    chat.addPending('general', msg('p2', 'alice'));
    expect(status('p1')).toBe('pending');

    useChatStore.getState().markSent('p1');
    useChatStore.getState().receive('general', msg('p2', 'alice'));
    expect(status('p1')).toBe('sent');
    expect(status('p2')).toBe('sent');
    expect(useChatStore.getState().unread).toEqual({});
  });
});
