import type { LastKnownKeys } from '../../shared/last-known-api';
import { decodePayload } from '../../shared/schemas';
import {
  ALL_AGENT_REPLIES_FILTER,
  ALL_AGENT_STATES_FILTER,
  ALL_CHAT_FILTER,
  ALL_PRESENCE_FILTER,
  notificationsTopic,
} from '../../shared/topics';
import type { BrokerToken, ClientFactory, Subscription } from '../lib/mqtt/client-types';
import { Connection } from '../lib/mqtt/connection';
import type { FrameScheduler } from '../lib/mqtt/frame-scheduler';
import type { NetworkStatus } from '../lib/mqtt/network-status';
import { Outbox, OUTBOX_STORAGE_KEY } from '../lib/mqtt/outbox';
import { createMessageRouter } from '../lib/mqtt/router';
import { resolveBrokerUrl } from '../lib/mqtt/broker-url';
import { useAgentCommandsStore } from '../features/agent-board/stores/agent-commands-store';
import { fetchRoomMessage } from '../features/chat/api/get-room-message';
import { useChatStore } from '../features/chat/stores/chat-store';
import { fetchLastKnown } from '../features/connection/api/get-last-known';
import { useConnectionStore } from '../features/connection/stores/connection-store';
import { showDesktopNotification } from '../features/notifications/lib/desktop-notifications';
import { createMessageHandlers } from './message-handlers';
import { createStaleStateSweeper } from './sweep-stale-states';
import { createDeliveryCheck, type LookupMessage } from './confirm-chat-delivery';

// QoS 1 for what must not be missed while away (chat, notifications, replies to our
// commands): the persistent session queues those. Agent states and presence are
// last-known states carried by retained messages, resent on every SUBSCRIBE (the
// connection subscribes on each CONNACK), so QoS 0: no queue of stale intermediate
// states for a returning user, and no PUBACK per state update (the agents board at
// 2,000 updates/s). Typing is published at QoS 0, so it is never queued whatever we ask.
export function workspaceSubscriptions(me: string): Subscription[] {
  return [
    { filter: ALL_CHAT_FILTER, qos: 1 },
    { filter: ALL_PRESENCE_FILTER, qos: 0 },
    { filter: notificationsTopic(me), qos: 1 },
    { filter: ALL_AGENT_STATES_FILTER, qos: 0 },
    { filter: ALL_AGENT_REPLIES_FILTER, qos: 1 },
  ];
}

export interface WorkspaceConnectionOptions {
  me: string;
  /** `user@org` (accountOf): the outbox is kept per account. */
  account: string;
  getToken(): Promise<BrokerToken>;
  createClient: ClientFactory;
  storage?: Storage | null;
  network?: NetworkStatus;
  schedule?: FrameScheduler;
  random?(): number;
  /** Is an acknowledged chat message in its room's history (default: asks the server)? */
  lookupMessage?: LookupMessage;
  /** How long an acknowledged chat message may take to come back (confirm-chat-delivery.ts). */
  echoWaitMs?: number;
  /** Whose last-known state the server holds (default: GET /api/last-known). */
  fetchLastKnown?(signal: AbortSignal): Promise<LastKnownKeys>;
}

/** The connection wired to the stores: router in, acks and state out. */
export function createWorkspaceConnection(options: WorkspaceConnectionOptions): Connection {
  const { me } = options;
  const handlers = createMessageHandlers({
    me,
    onNewNotification: showDesktopNotification,
    // Read as messages come, once the connection below exists.
    serverNow: () => connection.serverNow(),
    schedule: options.schedule,
  });
  const router = createMessageRouter(handlers, options.schedule);
  const sweeper = createStaleStateSweeper(options.fetchLastKnown ?? fetchLastKnown);
  const delivery = createDeliveryCheck(
    options.lookupMessage ?? fetchRoomMessage,
    options.echoWaitMs,
  );
  const storage = options.storage === undefined ? sessionStorage : options.storage;
  const connection = new Connection({
    getToken: options.getToken,
    createClient: options.createClient,
    subscriptions: workspaceSubscriptions(me),
    onMessage: router.route,
    onStateChange: (state) => {
      if (state.status === 'connected') {
        sweeper.connected();
        delivery.connected();
      }
      useConnectionStore.getState().setState(state);
    },
    // Signed out, the session ended, or the page is going: the stores are about to be
    // reset for whoever signs in next, and what still waits (for a frame, for the server)
    // must not land in them after.
    onStop: () => {
      router.cancel();
      handlers.cancel();
      sweeper.cancel();
      delivery.cancel();
    },
    // Per account: another person signing in to this tab, or the same user id of another
    // org, must never send our messages.
    outbox: new Outbox(storage, `${OUTBOX_STORAGE_KEY}:${options.account}`),
    network: options.network,
    random: options.random,
    resolveUrl: (url) => resolveBrokerUrl(url, window.location),
  });
  connection.onAck((id) => {
    const room = useChatStore.getState().markAcked(id);
    if (room) delivery.acked(room, id);
    // Not pending any more: its echo came first (a resend after a reconnect, whose copy
    // the session had queued), so it is settled already.
    else connection.outbox.confirmed(id);
    useAgentCommandsStore.getState().markSent(id);
  });
  connection.onPublishRefused((id, refusal) =>
    useAgentCommandsStore.getState().markRefused(id, refusal),
  );
  restorePending(connection, me);
  // Acked before a reload, not yet confirmed; refused and not yet discarded; refusals.
  delivery.track(connection);
  return connection;
}

/** After a reload, what still waits in the outbox shows as pending again. */
function restorePending(connection: Connection, me: string): void {
  for (const entry of connection.outbox.list()) {
    const decoded = decodePayload(entry.topic, entry.payload);
    if (!decoded.ok) continue;
    const message = decoded.message;
    if (message.kind === 'chat-message' && message.value.from === me) {
      useChatStore.getState().addPending(message.room, message.value);
    } else if (message.kind === 'agent-inbox' && message.value.from === me) {
      useAgentCommandsStore.getState().addCommand({
        id: message.value.id,
        agent: message.agent,
        command: message.value.command,
        sentAt: Date.now(),
        delivery: 'pending',
      });
    }
  }
}
