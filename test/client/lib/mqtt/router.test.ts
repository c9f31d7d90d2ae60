import { describe, expect, it, vi } from 'vitest';
import { createMessageHandlers } from '../../../../src/client/app/message-handlers';
import { useAgentsStore } from '../../../../src/client/features/agent-board/stores/agents-store';
import { useChatStore } from '../../../../src/client/features/chat/stores/chat-store';
import { useTypingStore } from '../../../../src/client/features/chat/stores/typing-store';
import { useConnectionStore } from '../../../../src/client/features/connection/stores/connection-store';
import { useNotificationsStore } from '../../../../src/client/features/notifications/stores/notifications-store';
import { usePresenceStore } from '../../../../src/client/features/presence/stores/presence-store';
import { createMessageRouter, type MessageHandlers } from '../../../../src/client/lib/mqtt/router';

const NOW = 1_735_725_600_000;

/** A router on the real stores whose frames run only when the test says so. */
function setup() {
  vi.spyOn(console, 'warn').mockImplementation(() => {}); // dev-mode drop logging
  const frames: Array<() => void> = [];
  const schedule = (callback: () => void) => frames.push(callback);
  const handlers = createMessageHandlers({ me: 'alice', now: () => NOW, schedule });
  const router = createMessageRouter(handlers, schedule);
  const runFrame = () => frames.splice(0).forEach((frame) => frame());
  return { router, runFrame, frames };
}

const validMessage = { id: 'm1', from: 'bob', text: 'hi', sentAt: NOW };
const liveIds = (room: string) =>
  useChatStore
    .getState()
    .live[room]?.toArray()
    .map((m) => m.id);

describe('message router', () => {
  it.each([
    ['not JSON', 'chat/general/messages', '{nope'],
    ['wrong shape', 'chat/general/messages', JSON.stringify({ id: 'm1', text: 'hi' })],
    [
      'text too long',
      'chat/general/messages',
      JSON.stringify({ ...validMessage, text: 'x'.repeat(4_001) }),
    ],
    ['empty text', 'chat/general/messages', JSON.stringify({ ...validMessage, text: '' })],
    [
      'text of invisible characters alone',
      'chat/general/messages',
      JSON.stringify({ ...validMessage, text: ' \u200b\u200e ' }),
    ],
    [
      'a field outside the contract',
      'chat/general/messages',
      JSON.stringify({ ...validMessage, junk: 'x'.repeat(10_000) }),
    ],
    [
      'a presence with a field outside the contract',
      'presence/bob/bob-1',
      JSON.stringify({ status: 'online', since: NOW, device: 'phone' }),
    ],
    [
      'an agent state with a field outside the contract',
      'agents/a1/state',
      JSON.stringify({ status: 'idle', updatedAt: NOW, extra: true }),
    ],
    [
      'sender not an id',
      'chat/general/messages',
      JSON.stringify({ ...validMessage, from: 'Bob <b>' }),
    ],
    ['not UTF-8', 'chat/general/messages', new Uint8Array([0xff, 0xfe, 0xfd])],
    ['empty chat payload', 'chat/general/messages', ''],
    [
      'unknown presence status',
      'presence/bob/bob-1',
      JSON.stringify({ status: 'away', since: NOW }),
    ],
    [
      'progress over 100',
      'agents/a1/state',
      JSON.stringify({ status: 'working', progress: 140, updatedAt: NOW }),
    ],
    [
      'notification without title',
      'notifications/alice',
      JSON.stringify({ id: 'n1', body: 'x', createdAt: NOW }),
    ],
    [
      'reply with unknown status',
      'agents/a1/replies',
      JSON.stringify({ commandId: 'c1', status: 'maybe' }),
    ],
    ['topic outside the contract', 'chat/general/messages/extra', JSON.stringify(validMessage)],
    ['room id with uppercase', 'chat/General/messages', JSON.stringify(validMessage)],
  ])('drops and counts a payload that fails its schema: %s', (_name, topic, payload) => {
    const { router, runFrame } = setup();
    router.route(topic, payload);
    runFrame();
    expect(useConnectionStore.getState().droppedPayloads).toBe(1);
    expect(useChatStore.getState().live).toEqual({});
    expect(usePresenceStore.getState().clients).toEqual({});
    expect(useAgentsStore.getState().agents.size).toBe(0);
    expect(useNotificationsStore.getState().items).toEqual([]);
  });

  it('says (in development) which field outside the contract a dropped payload had', () => {
    const { router } = setup();
    router.route('chat/general/messages', JSON.stringify({ ...validMessage, junk: 1 }));
    expect(console.warn).toHaveBeenCalledWith(
      '[switchboard] dropped a payload on chat/general/messages: unknown field "junk": not in the contract',
    );
  });

  it('routes valid payloads to their stores', () => {
    const { router, runFrame } = setup();
    router.route('chat/general/messages', JSON.stringify(validMessage));
    router.route(
      'notifications/alice',
      JSON.stringify({ id: 'n1', title: 'Build', body: 'green', createdAt: NOW }),
    );
    router.route('presence/bob/bob-1', JSON.stringify({ status: 'online', since: NOW }));
    router.route('agents/a1/state', JSON.stringify({ status: 'idle', updatedAt: NOW }));
    runFrame();
    expect(useChatStore.getState().live.general?.toArray()).toMatchObject([
      { id: 'm1', text: 'hi', status: 'sent' },
    ]);
    expect(useNotificationsStore.getState().items.map((n) => n.id)).toEqual(['n1']);
    expect(usePresenceStore.getState().clients).toEqual({
      bob: { 'bob-1': { status: 'online', since: NOW } },
    });
    expect(useAgentsStore.getState().agents.get('a1')?.status).toBe('idle');
    expect(useConnectionStore.getState().droppedPayloads).toBe(0);
  });

  it('coalesces high-rate topics into one store update per frame, keeping the latest value', () => {
    const { router, runFrame, frames } = setup();
    const applied = vi.spyOn(useAgentsStore.getState(), 'apply');
    const renders = vi.fn();
    const unsubscribe = useAgentsStore.subscribe(renders);
    for (let progress = 0; progress <= 100; progress += 10) {
      router.route(
        'agents/a1/state',
        JSON.stringify({ status: 'working', progress, updatedAt: NOW + progress }),
      );
      router.route(
        'agents/a2/state',
        JSON.stringify({ status: 'working', progress, updatedAt: NOW + progress }),
      );
    }
    expect(frames).toHaveLength(1); // one frame requested for the whole burst
    expect(renders).not.toHaveBeenCalled();
    runFrame();
    unsubscribe();
    expect(renders).toHaveBeenCalledTimes(1);
    expect(applied).toHaveBeenCalledTimes(1);
    expect(useAgentsStore.getState().agents.get('a1')?.progress).toBe(100);
    expect(useAgentsStore.getState().agents.get('a2')?.progress).toBe(100);
  });

  it('applies buffered typing before a chat message, so the message clears the indicator', () => {
    const { router, runFrame } = setup();
    router.route('chat/general/typing', JSON.stringify({ from: 'bob', typing: true }));
    router.route('chat/general/messages', JSON.stringify(validMessage));
    expect(useTypingStore.getState().typing.general?.bob).toBeDefined();
    runFrame(); // chat messages are coalesced per frame too
    expect(useTypingStore.getState().typing.general?.bob).toBeUndefined();
    expect(liveIds('general')).toEqual(['m1']);
  });

  it('coalesces chat messages into one store update per frame, ordered, deduplicated and counted', () => {
    const { router, runFrame, frames } = setup();
    useChatStore.getState().addPending('general', { ...validMessage, id: 'mine', from: 'alice' });
    const renders = vi.fn();
    const unsubscribe = useChatStore.subscribe(renders);
    const chat = (room: string, id: string, sentAt: number, from = 'bob') =>
      router.route(`chat/${room}/messages`, JSON.stringify({ id, from, text: id, sentAt }));
    chat('general', 'b', NOW + 2);
    chat('general', 'a', NOW + 1); // late: sorts before b
    chat('general', 'b', NOW + 2); // QoS 1 redelivery
    chat('random', 'r1', NOW + 3);
    chat('general', 'mine', NOW, 'alice'); // the echo of our own message
    expect(frames).toHaveLength(1);
    expect(renders).not.toHaveBeenCalled();
    runFrame();
    unsubscribe();
    expect(renders).toHaveBeenCalledTimes(1);
    const live = useChatStore.getState().live;
    expect(live.general?.toArray().map((m) => [m.id, m.status])).toEqual([
      ['mine', 'sent'],
      ['a', 'sent'],
      ['b', 'sent'],
    ]);
    expect(liveIds('random')).toEqual(['r1']);
    expect(useChatStore.getState().unread).toEqual({ general: 2, random: 1 });
  });

  it('applies queued chat messages before a later typing signal, which then stays', () => {
    const { router, runFrame } = setup();
    router.route('chat/general/messages', JSON.stringify(validMessage));
    router.route('chat/general/typing', JSON.stringify({ from: 'bob', typing: true }));
    router.flush(); // the router's frame may come before the chat batch's
    expect(liveIds('general')).toEqual(['m1']);
    runFrame();
    expect(useTypingStore.getState().typing.general?.bob).toBeDefined();
  });

  it('ignores our own typing signals', () => {
    const { router, runFrame } = setup();
    router.route('chat/general/typing', JSON.stringify({ from: 'alice', typing: true }));
    runFrame();
    expect(useTypingStore.getState().typing.general?.alice).toBeUndefined();
  });

  it('treats an empty retained presence or agent state as cleared, not as invalid', () => {
    const { router, runFrame } = setup();
    router.route('presence/bob/bob-1', JSON.stringify({ status: 'online', since: NOW }));
    router.route('agents/a1/state', JSON.stringify({ status: 'idle', updatedAt: NOW }));
    runFrame();
    router.route('presence/bob/bob-1', '');
    router.route('agents/a1/state', new Uint8Array());
    runFrame();
    expect(usePresenceStore.getState().clients.bob).toEqual({});
    expect(useAgentsStore.getState().agents.size).toBe(0);
    expect(useConnectionStore.getState().droppedPayloads).toBe(0);
  });

  it('flushes on demand', () => {
    const handlers: MessageHandlers = {
      chatMessage: vi.fn(),
      notification: vi.fn(),
      agentReply: vi.fn(),
      typing: vi.fn(),
      presence: vi.fn(),
      agentStates: vi.fn(),
      dropped: vi.fn(),
    };
    const router = createMessageRouter(handlers, () => {});
    router.route('presence/bob/bob-1', JSON.stringify({ status: 'online', since: NOW }));
    expect(handlers.presence).not.toHaveBeenCalled();
    router.flush();
    expect(handlers.presence).toHaveBeenCalledWith([
      { user: 'bob', clientId: 'bob-1', value: { status: 'online', since: NOW } },
    ]);
  });
});
