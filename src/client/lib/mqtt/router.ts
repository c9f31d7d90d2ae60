import { decodePayload } from '../../../shared/schemas';
import type {
  AgentReply,
  AgentState,
  AppNotification,
  ChatMessage,
  Presence,
  Typing,
} from '../../../shared/schemas';
import { parseTopic } from '../../../shared/topics';
import { nextFrame, type FrameScheduler } from './frame-scheduler';

export interface TypingUpdate {
  room: string;
  value: Typing;
}
/** value null: the retained state was cleared. */
export interface PresenceUpdate {
  user: string;
  clientId: string;
  value: Presence | null;
}
export interface AgentStateUpdate {
  agent: string;
  value: AgentState | null;
}

export interface MessageHandlers {
  chatMessage(room: string, message: ChatMessage): void;
  notification(notification: AppNotification): void;
  agentReply(agent: string, reply: AgentReply): void;
  /** High-rate topics arrive in batches, at most one per frame, latest value per key. */
  typing(updates: TypingUpdate[]): void;
  presence(updates: PresenceUpdate[]): void;
  agentStates(updates: AgentStateUpdate[]): void;
  dropped(topic: string, reason: string): void;
}

export interface MessageRouter {
  route(topic: string, payload: Uint8Array | string): void;
  /** Applies buffered high-rate updates now. */
  flush(): void;
  /** Drops buffered updates (the workspace they were for has ended). */
  cancel(): void;
}

/**
 * topic → schema → handler, validating every payload once. Invalid payloads are counted
 * (handlers.dropped) and never reach a store. Typing, presence and agent states are
 * coalesced into one batch per animation frame; other messages first flush the buffer
 * so that, for example, a chat message still lands after its sender's typing signal.
 */
export function createMessageRouter(
  handlers: MessageHandlers,
  schedule: FrameScheduler = nextFrame,
): MessageRouter {
  const typing = new Map<string, TypingUpdate>();
  const presence = new Map<string, PresenceUpdate>();
  const agentStates = new Map<string, AgentStateUpdate>();
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    if (typing.size > 0) {
      const batch = [...typing.values()];
      typing.clear();
      handlers.typing(batch);
    }
    if (presence.size > 0) {
      const batch = [...presence.values()];
      presence.clear();
      handlers.presence(batch);
    }
    if (agentStates.size > 0) {
      const batch = [...agentStates.values()];
      agentStates.clear();
      handlers.agentStates(batch);
    }
  }

  function buffer<T>(map: Map<string, T>, key: string, update: T): void {
    map.delete(key); // re-insert so batch order follows arrival of the latest value
    map.set(key, update);
    if (!scheduled) {
      scheduled = true;
      schedule(() => {
        if (scheduled) flush();
      });
    }
  }

  function routeCleared(topic: string): boolean {
    const parsed = parseTopic(topic);
    if (parsed?.kind === 'presence') {
      const { user, clientId } = parsed;
      buffer(presence, `${user}/${clientId}`, { user, clientId, value: null });
      return true;
    }
    if (parsed?.kind === 'agent-state') {
      buffer(agentStates, parsed.agent, { agent: parsed.agent, value: null });
      return true;
    }
    return false;
  }

  function route(topic: string, payload: Uint8Array | string): void {
    const result = decodePayload(topic, payload);
    if (!result.ok) {
      // An empty retained message clears state; on any other topic it is just invalid.
      if (result.error === 'empty' && routeCleared(topic)) return;
      handlers.dropped(topic, result.error);
      return;
    }
    const message = result.message;
    switch (message.kind) {
      case 'chat-typing':
        buffer(typing, `${message.room}/${message.value.from}`, {
          room: message.room,
          value: message.value,
        });
        return;
      case 'presence': {
        const { user, clientId, value } = message;
        buffer(presence, `${user}/${clientId}`, { user, clientId, value });
        return;
      }
      case 'agent-state':
        buffer(agentStates, message.agent, { agent: message.agent, value: message.value });
        return;
      case 'chat-message':
        flush();
        handlers.chatMessage(message.room, message.value);
        return;
      case 'notification':
        flush();
        handlers.notification(message.value);
        return;
      case 'agent-replies':
        flush();
        handlers.agentReply(message.agent, message.value);
        return;
      case 'agent-inbox':
        // Commands are for agents; a dashboard never subscribes to inboxes.
        handlers.dropped(topic, 'not a topic the app reads');
        return;
    }
  }

  function cancel(): void {
    scheduled = false;
    typing.clear();
    presence.clear();
    agentStates.clear();
  }

  return { route, flush, cancel };
}
