import type { AppNotification } from '../../shared/schemas';
import { createFrameBatch, type FrameScheduler } from '../lib/mqtt/frame-scheduler';
import type { MessageHandlers } from '../lib/mqtt/router';
import { useAgentCommandsStore } from '../features/agent-board/stores/agent-commands-store';
import { useAgentsStore } from '../features/agent-board/stores/agents-store';
import { useChatStore, type ReceivedMessage } from '../features/chat/stores/chat-store';
import { useTypingStore } from '../features/chat/stores/typing-store';
import { useConnectionStore } from '../features/connection/stores/connection-store';
import { useNotificationsStore } from '../features/notifications/stores/notifications-store';
import { usePresenceStore } from '../features/presence/stores/presence-store';

export interface HandlerOptions {
  me: string;
  /** A notification that was not in the inbox yet (desktop notification). */
  onNewNotification?(notification: AppNotification): void;
  now?(): number;
  /** Now by the server's clock (Connection.serverNow); this device's clock by default. */
  serverNow?(): number;
  /** When coalesced chat messages are applied (tests apply them at once). */
  schedule?: FrameScheduler;
}

/**
 * The router's targets: one store action per kind of message. `cancel` drops chat
 * messages still waiting for their frame.
 */
export function createMessageHandlers({
  me,
  onNewNotification,
  now = () => Date.now(),
  serverNow = now,
  schedule,
}: HandlerOptions): MessageHandlers & { cancel(): void } {
  // Chat is a high-rate topic too: one store update per frame, not one per message.
  const chat = createFrameBatch<ReceivedMessage>((batch) => {
    useChatStore.getState().receiveBatch(batch);
    useTypingStore
      .getState()
      .clearSenders(batch.map(({ room, message }) => ({ room, from: message.from })));
  }, schedule);

  return {
    chatMessage: (room, message) => chat.add({ room, message }),
    typing: (updates) => {
      chat.flush(); // a typing signal sent after a message must outlive that message
      const others = updates.filter((update) => update.value.from !== me);
      if (others.length === 0) return;
      useTypingStore.getState().apply(
        others.map(({ room, value }) => ({ room, from: value.from, typing: value.typing })),
        now(),
      );
    },
    presence: (updates) => usePresenceStore.getState().apply(updates),
    agentStates: (updates) => useAgentsStore.getState().apply(updates, serverNow),
    notification: (notification) => {
      if (useNotificationsStore.getState().receive(notification)) onNewNotification?.(notification);
    },
    agentReply: (agent, reply) =>
      useAgentCommandsStore.getState().receiveReply(agent, reply, now()),
    dropped: (topic, reason) => {
      useConnectionStore.getState().countDropped();
      if (import.meta.env.DEV)
        console.warn(`[switchboard] dropped a payload on ${topic}: ${reason}`);
    },
    cancel: () => chat.cancel(),
  };
}
