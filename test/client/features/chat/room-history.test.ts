import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { fetchRoomMessages } from '../../../../src/client/features/chat/api/get-room-messages';
import { useConnectionStore } from '../../../../src/client/features/connection/stores/connection-store';
import { server } from '../../support/msw-server';

// A room's history, as GET /api/rooms/:room/messages answers it, checked as live messages
// are but read as what the server kept (schemas.ts, storedChatMessageSchema).

const T = 1_735_725_600_000;

function serveHistory(messages: object[]) {
  server.use(
    http.get('/api/rooms/general/messages', () =>
      HttpResponse.json({ messages, nextCursor: null }),
    ),
  );
}

describe('fetchRoomMessages', () => {
  it('keeps a message with a field the server adds, without the field', async () => {
    const kept = { id: 'm1', from: 'bob', text: 'hi', sentAt: T };
    serveHistory([{ ...kept, seq: 7 }]);
    expect((await fetchRoomMessages('general', null)).messages).toEqual([kept]);
    expect(useConnectionStore.getState().droppedPayloads).toBe(0);
  });

  it('keeps one kept before text that shows nothing was refused: the unread counts count it', async () => {
    const kept = { id: 'm1', from: 'bob', text: '\u200b', sentAt: T };
    serveHistory([kept]);
    expect((await fetchRoomMessages('general', null)).messages).toEqual([kept]);
  });
});
