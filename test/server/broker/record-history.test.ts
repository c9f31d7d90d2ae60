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

describe('a QoS 2 message is recorded when aedes stores it as received', () => {
  function withStore(fail = false) {
    const r = recorder();
    const history = createRecordHistory(r);
    const stored: object[] = [];
    const incoming = {
      incomingStorePacket: async (_client: { id: string }, p: object) => {
        if (fail) throw new Error('disk full');
        stored.push(p);
      },
    };
    history.recordQoS2WhenStored(incoming);
    return { r, history, incoming, stored };
  }
  const qos2 = () => ({ ...packet('$demo/chat/general/messages', chat), qos: 2 as const });

  it('not at authorization: a reused packet id aedes does not store is never recorded', async () => {
    const { r, history, incoming, stored } = withStore();
    const first = qos2();
    const reused = qos2();
    history.accepted(first, 'demo', { kind: 'chat-message', room: 'general', value: chat });
    history.accepted(reused, 'demo', { kind: 'chat-message', room: 'general', value: chat });
    expect(r.chatMessage).not.toHaveBeenCalled();
    await incoming.incomingStorePacket({ id: 'c' }, first);
    expect(stored).toEqual([first]);
    expect(r.chatMessage.mock.calls).toEqual([['demo', 'general', chat]]);
    // The published hook that follows the store does not record it again.
    await new Promise<void>((resolve) => history.published(first, null, () => resolve()));
    expect(r.chatMessage).toHaveBeenCalledTimes(1);
  });

  it('not when the store fails (aedes then routes nothing)', async () => {
    const { r, history, incoming } = withStore(true);
    const p = qos2();
    history.accepted(p, 'demo', { kind: 'chat-message', room: 'general', value: chat });
    await expect(incoming.incomingStorePacket({ id: 'c' }, p)).rejects.toThrow('disk full');
    expect(r.chatMessage).not.toHaveBeenCalled();
  });
});
