import { beforeEach, describe, expect, it } from 'vitest';
import { useChatStore } from '../../../../src/client/features/chat/stores/chat-store';
import type { RoomUnread } from '../../../../src/shared/unread-api';

const msg = (id: string, from = 'bob') => ({ id, from, text: `text ${id}`, sentAt: 1 });
const counts = (room: string, ...messageIds: string[]): RoomUnread => ({
  room,
  unread: messageIds.length,
  messageIds,
});
const chat = () => useChatStore.getState();

describe('unread counts from the server in the chat store', () => {
  beforeEach(() => chat().setMe('alice'));

  it('replace what was counted before asking, and add what arrived since that they lack', () => {
    chat().receive('general', msg('g1')); // before asking: the server counts it too
    const mark = chat().beginUnreadSync();
    chat().receive('general', msg('g2')); // reached the server before its count: in it
    chat().receive('general', msg('g3')); // after its count: not in it
    chat().receive('general', msg('g4', 'alice')); // ours: never unread
    chat().applyUnreadCounts(mark, [counts('general', 'g2', 'g1', 'g0'), counts('random', 'r1')]);
    expect(chat().unread).toEqual({ general: 4, random: 1 });
  });

  it('counts once what the server counted and is delivered live later (a session queue)', () => {
    chat().applyUnreadCounts(chat().beginUnreadSync(), [counts('general', 'q2', 'q1')]);
    expect(chat().unread).toEqual({ general: 2 });
    chat().receiveBatch([
      { room: 'general', message: msg('q1') },
      { room: 'general', message: msg('q2') },
      { room: 'general', message: msg('new') },
    ]);
    expect(chat().unread).toEqual({ general: 3 });
  });

  it('leaves alone the open room, and one opened or left while the counts were on their way', () => {
    chat().receive('random', msg('r1'));
    chat().setActiveRoom('general');
    const mark = chat().beginUnreadSync();
    chat().setActiveRoom('random'); // read here: the answer predates its read mark
    chat().setActiveRoom(null);
    chat().setActiveRoom('ops');
    chat().applyUnreadCounts(mark, [
      counts('general', 'g1'),
      counts('random', 'r1'),
      counts('ops', 'o1'),
      counts('news', 'n1'),
    ]);
    expect(chat().unread).toEqual({ random: 0, news: 1 });
  });

  it('keeps the room open all along at no unread, and counts there nothing it delivers later', () => {
    chat().setActiveRoom('general');
    chat().applyUnreadCounts(chat().beginUnreadSync(), [counts('general', 'g1')]);
    expect(chat().unread).toEqual({});
    chat().receive('general', msg('g2'));
    chat().setActiveRoom(null);
    chat().receive('general', msg('g1')); // shown in its history while it was open
    expect(chat().unread).toEqual({});
  });

  it('forgets what the server counted with the rest on reset', () => {
    chat().applyUnreadCounts(chat().beginUnreadSync(), [counts('general', 'g1')]);
    chat().reset();
    chat().setMe('alice');
    chat().receive('general', msg('g1'));
    expect(chat().unread).toEqual({ general: 1 });
  });
});
