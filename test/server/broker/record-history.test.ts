import { describe, expect, it, vi } from 'vitest';
import type { AedesPublishPacket } from 'aedes';
import {
  createRecordHistory,
  type HistoryRecorder,
} from '../../../src/server/broker/record-history';
import { rememberDecoded } from '../../../src/server/broker/decoded-payloads';

const packet = (topic: string, payload: unknown) =>
  ({
    cmd: 'publish',
    topic,
    payload: Buffer.from(JSON.stringify(payload)),
    qos: 1,
    retain: false,
    dup: false,
  }) as unknown as AedesPublishPacket;
const chat = { id: 'm1', from: 'alice', text: 'hi', sentAt: 1 };

function recorder() {
  return {
    chatMessage: vi.fn<HistoryRecorder['chatMessage']>(),
    notification: vi.fn<HistoryRecorder['notification']>(),
    onError: vi.fn<HistoryRecorder['onError']>(),
  };
}

function publish(record: HistoryRecorder, p: AedesPublishPacket): Promise<void> {
  return new Promise((resolve) => createRecordHistory(record)(p, null, () => resolve()));
}

describe('the published hook records history', () => {
  it('records chat messages and notifications by org, and nothing else', async () => {
    const r = recorder();
    await publish(r, packet('$demo/chat/general/messages', chat));
    await publish(
      r,
      packet('$demo/notifications/bob', { id: 'n1', title: 't', body: '', createdAt: 1 }),
    );
    await publish(r, packet('$demo/chat/general/typing', { from: 'alice', typing: true }));
    await publish(r, packet('$demo/agents/agent-01/state', { status: 'idle', updatedAt: 1 }));
    await publish(r, packet('$demo/chat/general/messages', { not: 'a message' }));
    await publish(r, packet('$SYS/discarded', chat));
    expect(r.chatMessage.mock.calls).toEqual([['demo', 'general', chat]]);
    expect(r.notification.mock.calls).toEqual([
      ['demo', 'bob', { id: 'n1', title: 't', body: '', createdAt: 1 }],
    ]);
  });

  it('reuses the payload decoded at authorization', async () => {
    const r = recorder();
    const p = packet('$demo/chat/general/messages', chat);
    const decoded = {
      kind: 'chat-message' as const,
      room: 'general',
      value: { ...chat, text: 'from authorization' },
    };
    rememberDecoded(p, decoded);
    await publish(r, p);
    expect(r.chatMessage).toHaveBeenCalledWith('demo', 'general', decoded.value);
  });

  it('reports a failed write and still lets the message through', async () => {
    const r = recorder();
    r.chatMessage.mockImplementation(() => {
      throw new Error('database is closed');
    });
    await publish(r, packet('$demo/chat/general/messages', chat));
    expect(r.onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'database is closed' }),
    );
  });
});
