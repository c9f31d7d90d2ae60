import { describe, expect, it, vi } from 'vitest';
import type { AedesPublishPacket } from 'aedes';
import {
  createRecordHistory,
  type HistoryRecorder,
} from '../../../src/server/broker/record-history';

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
  return new Promise((resolve) => createRecordHistory(record).published(p, null, () => resolve()));
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

describe('recording at authorization (before aedes sends the PUBACK)', () => {
  it('records an accepted chat message once: the published hook skips that packet', async () => {
    const r = recorder();
    const history = createRecordHistory(r);
    const p = packet('$demo/chat/general/messages', chat);
    history.accepted(p, 'demo', { kind: 'chat-message', room: 'general', value: chat });
    expect(r.chatMessage.mock.calls).toEqual([['demo', 'general', chat]]);
    await new Promise<void>((resolve) => history.published(p, null, () => resolve()));
    expect(r.chatMessage).toHaveBeenCalledTimes(1);
  });

  it('records nothing for kinds that are not kept, and leaves them to no one', async () => {
    const r = recorder();
    const history = createRecordHistory(r);
    const typing = { from: 'alice', typing: true };
    history.accepted(packet('$demo/chat/general/typing', typing), 'demo', {
      kind: 'chat-typing',
      room: 'general',
      value: typing,
    });
    expect(r.chatMessage).not.toHaveBeenCalled();
    expect(r.notification).not.toHaveBeenCalled();
  });
});
