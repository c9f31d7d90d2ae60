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

/** Records calls; `afterWrite` holds its callbacks until `written()`. */
function recorder() {
  const waiting: (() => void)[] = [];
  return {
    chatMessage: vi.fn<HistoryRecorder['chatMessage']>(),
    notification: vi.fn<HistoryRecorder['notification']>(),
    onError: vi.fn<HistoryRecorder['onError']>(),
    afterWrite: vi.fn<HistoryRecorder['afterWrite']>((callback) => waiting.push(callback)),
    written: () => waiting.splice(0).forEach((callback) => callback()),
  };
}

/** Runs the hook; resolves when it calls back (writing what it recorded first). */
function publish(record: ReturnType<typeof recorder>, p: AedesPublishPacket): Promise<void> {
  const done = new Promise<void>((resolve) =>
    createRecordHistory(record)(p, null, () => resolve()),
  );
  record.written();
  return done;
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

  it('calls back, and so lets aedes acknowledge, only once the message is written', async () => {
    for (const p of [
      packet('$demo/chat/general/messages', chat),
      packet('$demo/notifications/bob', { id: 'n1', title: 't', body: '', createdAt: 1 }),
    ]) {
      const r = recorder();
      const done = vi.fn();
      createRecordHistory(r)(p, null, done);
      await new Promise((resolve) => setImmediate(resolve));
      expect(done).not.toHaveBeenCalled();
      r.written();
      expect(done).toHaveBeenCalledWith(null);
    }
  });

  it('calls back at once for what it does not record', () => {
    const r = recorder();
    const done = vi.fn();
    createRecordHistory(r)(
      packet('$demo/chat/general/typing', { from: 'alice', typing: true }),
      null,
      done,
    );
    expect(done).toHaveBeenCalledWith(null);
    expect(r.afterWrite).not.toHaveBeenCalled();
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
