import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  recountUnreadCounts,
  unreadCountsQueryKey,
  unreadCountsQueryOptions,
} from '../../../../src/client/features/chat/api/get-unread-counts';
import {
  COUNTED_QUEUE_WINDOW_MS,
  UNSURE_BEFORE_AS_OF_MS,
  useChatStore,
} from '../../../../src/client/features/chat/stores/chat-store';
import type { UnreadCounts } from '../../../../src/shared/unread-api';
import { server } from '../../support/msw-server';
import { createTestQueryClient } from '../../support/render';

// The server's clock as it counted; messages are stamped before or from it on.
const AS_OF = 1_700_000_000_000;
const BEFORE = AS_OF - 1;
const msg = (id: string, sentAt: number, from = 'bob') => ({
  id,
  from,
  text: `text ${id}`,
  sentAt,
});
const counts = (...rooms: [room: string, unread: number][]): UnreadCounts => ({
  asOf: AS_OF,
  rooms: rooms.map(([room, unread]) => ({ room, unread })),
});
const chat = () => useChatStore.getState();

describe('unread counts from the server in the chat store', () => {
  beforeEach(() => chat().setMe('alice'));

  it('replace what was counted before asking, and add what arrived since, sent from their time on', () => {
    chat().receive('general', msg('g1', AS_OF + 5)); // before asking: the server counts it too
    const mark = chat().beginUnreadSync();
    chat().receive('general', msg('g2', BEFORE)); // reached the server before its count: in it
    chat().receive('general', msg('g3', AS_OF)); // after its count: not in it
    chat().receive('general', msg('g4', AS_OF + 1, 'alice')); // ours: never unread
    // Read on another device before the count: in it as read, though it arrives here now.
    chat().receive('random', msg('r1', BEFORE - 60_000));
    chat().applyUnreadCounts(mark, counts(['general', 3], ['random', 0], ['news', 1]));
    expect(chat().unread).toEqual({ general: 4, random: 0, news: 1 });
  });

  it('counts once what the server counted and is delivered live later (a session queue)', () => {
    chat().applyUnreadCounts(chat().beginUnreadSync(), counts(['general', 2]));
    expect(chat().unread).toEqual({ general: 2 });
    chat().receiveBatch([
      { room: 'general', message: msg('q1', BEFORE - 1) },
      { room: 'general', message: msg('q2', BEFORE) },
      { room: 'general', message: msg('new', AS_OF) },
    ]);
    expect(chat().unread).toEqual({ general: 3 });
  });

  it('adds nothing for queued messages read on another device', () => {
    chat().applyUnreadCounts(chat().beginUnreadSync(), counts(['general', 0]));
    chat().receive('general', msg('q1', BEFORE - 1));
    chat().receive('general', msg('q2', BEFORE));
    expect(chat().unread).toEqual({ general: 0 });
    chat().receive('general', msg('new', AS_OF + 1));
    expect(chat().unread).toEqual({ general: 1 });
  });

  it(`takes only what arrives within ${COUNTED_QUEUE_WINDOW_MS} ms of the counts as counted: one composed offline counts`, () => {
    vi.useFakeTimers({ now: AS_OF + 200 });
    chat().applyUnreadCounts(chat().beginUnreadSync(), counts(['general', 0]));
    vi.advanceTimersByTime(COUNTED_QUEUE_WINDOW_MS - 1);
    chat().receive('general', msg('queued', BEFORE));
    expect(chat().unread).toEqual({ general: 0 });
    vi.advanceTimersByTime(1);
    chat().receive('general', msg('offline', AS_OF - 3_600_000)); // written an hour ago
    expect(chat().unread).toEqual({ general: 1 });
  });

  it('leaves alone the open room, and one opened or left while the counts were on their way', () => {
    chat().receive('random', msg('r1', BEFORE));
    chat().setActiveRoom('general');
    const mark = chat().beginUnreadSync();
    chat().setActiveRoom('random'); // read here: the answer predates its read mark
    chat().setActiveRoom(null);
    chat().setActiveRoom('ops');
    chat().applyUnreadCounts(mark, counts(['general', 1], ['random', 1], ['ops', 1], ['news', 1]));
    expect(chat().unread).toEqual({ random: 0, news: 1 });
  });

  it('keeps the room open all along at no unread, and counts there nothing it delivers later', () => {
    chat().setActiveRoom('general');
    chat().applyUnreadCounts(chat().beginUnreadSync(), counts(['general', 1]));
    expect(chat().unread).toEqual({});
    chat().receive('general', msg('g2', AS_OF));
    chat().setActiveRoom(null);
    chat().receive('general', msg('g1', BEFORE)); // shown in its history while it was open
    expect(chat().unread).toEqual({});
  });

  it('drops a room the answer does not have (no longer readable), but for what came since its time', () => {
    chat().applyUnreadCounts(chat().beginUnreadSync(), counts(['general', 1], ['payroll', 5]));
    chat().receive('ops', msg('o1', AS_OF + 1)); // counted here only
    const mark = chat().beginUnreadSync();
    chat().receive('news', msg('n1', BEFORE)); // before its time: the server would have it
    chat().receive('incident', msg('i1', AS_OF)); // after its time: not in it
    chat().applyUnreadCounts(mark, counts(['general', 1]));
    expect(chat().unread).toEqual({ general: 1, incident: 1 });
  });

  it(`puts the counts in doubt for a message they may lack: dated more than ${UNSURE_BEFORE_AS_OF_MS} ms before them, from someone else, elsewhere, within the window`, () => {
    vi.useFakeTimers({ now: AS_OF + 200 });
    chat().setActiveRoom('random');
    chat().applyUnreadCounts(chat().beginUnreadSync(), counts(['general', 0], ['random', 0]));
    const doubts = () => chat().countsInDoubt;
    // Near asOf: the boundary decisions.md accepts.
    chat().receive('general', msg('near', AS_OF - UNSURE_BEFORE_AS_OF_MS));
    chat().receive('general', msg('ours', AS_OF - 60_000, 'alice'));
    chat().receive('random', msg('open', AS_OF - 60_000)); // the room open here counts nothing
    expect(doubts()).toBe(0);
    // Queued while away, or written offline (or by a slow clock) and recorded after the
    // count: the same to see. A batch puts them in doubt once.
    chat().receiveBatch([
      { room: 'general', message: msg('early1', AS_OF - UNSURE_BEFORE_AS_OF_MS - 1) },
      { room: 'general', message: msg('early2', AS_OF - 40_000) },
    ]);
    expect(doubts()).toBe(1);
    expect(chat().unread).toEqual({ general: 0 });
    chat().receive('general', msg('early2', AS_OF - 40_000)); // a redelivery
    expect(doubts()).toBe(1);
    // After the window an early date means written offline: it counts, in no doubt.
    vi.advanceTimersByTime(COUNTED_QUEUE_WINDOW_MS);
    chat().receive('general', msg('late', AS_OF - 40_000));
    expect(chat().unread).toEqual({ general: 1 });
    expect(doubts()).toBe(1);
  });

  it('puts them in doubt for what arrived on their way dated well before them', () => {
    vi.useFakeTimers({ now: AS_OF + 200 });
    const mark = chat().beginUnreadSync();
    chat().receive('general', msg('near', AS_OF - UNSURE_BEFORE_AS_OF_MS));
    chat().applyUnreadCounts(mark, counts(['general', 1]));
    expect(chat().countsInDoubt).toBe(0);

    vi.advanceTimersByTime(COUNTED_QUEUE_WINDOW_MS);
    const next = chat().beginUnreadSync();
    chat().receive('general', msg('early', Date.now() - 40_000)); // counted: no window open
    expect(chat().unread).toEqual({ general: 2 });
    chat().applyUnreadCounts(next, { asOf: Date.now(), rooms: [{ room: 'general', unread: 1 }] });
    expect(chat().countsInDoubt).toBe(1);
    expect(chat().unread).toEqual({ general: 1 });
  });

  it('takes the recount’s answer, which has the message in doubt, and keeps the window it was in: doubts end with it', () => {
    vi.useFakeTimers({ now: AS_OF + 200 });
    chat().applyUnreadCounts(chat().beginUnreadSync(), counts(['ops', 0]));
    chat().receive('ops', msg('offline', AS_OF - 40_000)); // recorded after the count
    expect(chat().countsInDoubt).toBe(1);
    expect(chat().unread).toEqual({ ops: 0 });

    // Asked again a few seconds on: the server counted it this time, and one queued.
    vi.advanceTimersByTime(5_000);
    const recountAsOf = AS_OF + 5_000;
    const recount = chat().beginUnreadSync();
    expect(recount.recount).toBe(true);
    chat().applyUnreadCounts(recount, { asOf: recountAsOf, rooms: [{ room: 'ops', unread: 2 }] });
    expect(chat().unread).toEqual({ ops: 2 });
    // Judged by the recount's asOf, within the first answer's window.
    chat().receive('ops', msg('queued', recountAsOf - 1));
    chat().receive('ops', msg('slow', recountAsOf - 10_000)); // a slow clock: in doubt again
    expect(chat().unread).toEqual({ ops: 2 });
    expect(chat().countsInDoubt).toBe(2);

    // The window closes when the first answer's does: a slow clock asks nothing more, and
    // neither does what arrives on a later recount's way.
    vi.advanceTimersByTime(COUNTED_QUEUE_WINDOW_MS - 5_000);
    const late = chat().beginUnreadSync();
    expect(late.recount).toBe(true);
    chat().receive('ops', msg('slow2', Date.now() - 10_000));
    chat().applyUnreadCounts(late, { asOf: Date.now(), rooms: [{ room: 'ops', unread: 4 }] });
    expect(chat().unread).toEqual({ ops: 4 });
    chat().receive('ops', msg('slow3', Date.now() - 10_000));
    expect(chat().unread).toEqual({ ops: 5 });
    expect(chat().countsInDoubt).toBe(2);
  });

  it('takes counts asked for with a doubt unsettled as a recount, whoever asks, and those asked after it, or after settleDoubts, as counts', () => {
    vi.useFakeTimers({ now: AS_OF + 200 });
    expect(chat().beginUnreadSync().recount).toBe(false);
    chat().applyUnreadCounts(chat().beginUnreadSync(), counts(['ops', 0]));
    chat().receive('ops', msg('offline', AS_OF - 40_000));
    expect(chat().doubtUnsettled()).toBe(true);
    expect(chat().beginUnreadSync().recount).toBe(true);
    expect(chat().doubtUnsettled()).toBe(false);
    expect(chat().beginUnreadSync().recount).toBe(false);

    // A reconnect's counts are counts, whatever doubt was raised before them.
    chat().receive('ops', msg('offline2', AS_OF - 40_000));
    chat().settleDoubts();
    expect(chat().doubtUnsettled()).toBe(false);
    expect(chat().beginUnreadSync().recount).toBe(false);
  });

  it('forgets what the server counted with the rest on reset', () => {
    chat().applyUnreadCounts(chat().beginUnreadSync(), counts(['general', 1]));
    chat().reset();
    chat().setMe('alice');
    chat().receive('general', msg('g1', BEFORE));
    expect(chat().unread).toEqual({ general: 1 });
  });
});

describe('the unread counts query', () => {
  beforeEach(() => chat().setMe('alice'));

  it('asks a refetch by key after a recount as counts, which open a window of their own, not as another recount', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: AS_OF });
    let asked = 0;
    server.use(
      http.get('/api/unread', () => {
        asked += 1;
        return HttpResponse.json({ asOf: Date.now(), rooms: [{ room: 'ops', unread: 0 }] });
      }),
    );
    const queryClient = createTestQueryClient();
    await queryClient.fetchQuery(unreadCountsQueryOptions());
    chat().receive('ops', msg('offline', AS_OF - 40_000)); // in doubt
    await recountUnreadCounts(queryClient);
    expect(chat().countsInDoubt).toBe(1);

    // After the window: asked again by key alone (a refusal, while a request is on its way).
    vi.setSystemTime(AS_OF + COUNTED_QUEUE_WINDOW_MS);
    await queryClient.refetchQueries({ queryKey: unreadCountsQueryKey });
    expect(asked).toBe(3);
    // A queued message, in those counts: they opened a window, so it adds nothing.
    chat().receive('ops', msg('queued', Date.now() - 1));
    expect(chat().unread).toEqual({ ops: 0 });
  });
});
