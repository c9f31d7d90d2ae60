import type { AedesPublishPacket, PublishPacket } from 'aedes';
import { decodePayload, type DecodedPayload } from '../../shared/schemas';
import type { Publisher } from './authorize-publish';
import { discard, orgOfMountedTopic, unmountTopic } from './mount-point';

/**
 * The payloads the history keeps: chat messages (by room), notifications (by user) and
 * commands (by agent: each agent's command log), once per id, and the replies to commands
 * kept; and an agent's offline state, which marks the commands it accepted and left
 * unfinished in its log.
 */
export type KeptMessage = Extract<
  DecodedPayload,
  { kind: 'chat-message' | 'notification' | 'agent-inbox' | 'agent-replies' | 'agent-state' }
>;

/** A message kept once per id: another under a kept id is routed nowhere (`onIdKept`). */
type KeptOncePerId = Extract<
  KeptMessage,
  { kind: 'chat-message' | 'notification' | 'agent-inbox' }
>;

/**
 * A reply to a command, kept with the command it names in the agent's command log, or an
 * agent's offline state: recorded for the log, with no id of their own.
 */
type ForTheLog = Extract<KeptMessage, { kind: 'agent-replies' | 'agent-state' }>;

/** A message to keep, and the publish that brought it while aedes has yet to route it. */
export interface HistoryEntry {
  org: string;
  message: KeptMessage;
  /**
   * The publish, when it is still to be routed (a client's, or a Last Will): if the history
   * holds the message's id already, `onIdKept` is told, before aedes routes it. Null for
   * what has been routed already (the `published` hook).
   */
  packet: PublishPacket | null;
  /** Who published it, for the log. */
  publisher: Publisher;
  /** Whether it is a Last Will (its refusal codes start with `will_`). */
  will: boolean;
  /**
   * Null when there is no packet to stop (and so nothing to ask the history), and for a
   * reply or an agent state: routed whatever the log holds (a reply whose command it lacks
   * is not kept).
   */
  onIdKept: ((entry: HistoryEntry, resent: boolean) => void) | null;
}

/**
 * Where the messages the broker routes are kept for later: chat history, inboxes and
 * agents' command logs.
 */
export interface HistoryRecorder {
  /**
   * Keeps the message once per id (a room's, a user's), maybe at the end of the turn
   * (batched-history.ts); when the id is kept already, tells `entry.onIdKept` whether it
   * is this very message again.
   */
  record(entry: HistoryEntry): void;
  /** Writes what is waiting now, for a publish aedes routes as soon as it is authorized. */
  flush(): void;
  /** Recording failed (disk full, database closed during shutdown): routing goes on. */
  onError(error: unknown): void;
}

/** Where aedes keeps a received QoS 2 publish until its PUBREL (the broker's persistence). */
export interface IncomingStore {
  incomingStorePacket(client: { id: string }, packet: object): Promise<void>;
}

export interface RecordHistory {
  /**
   * authorizePublish, for a client's publish it has accepted: records it there, because
   * aedes acknowledges a QoS 1 publish (PUBACK) before it routes it. With the transports
   * committing a turn's history before its writes leave (beforeSend), a PUBACK then means
   * the message is in the history, even if the server dies next. A QoS 2 publish is only
   * noted here and recorded once aedes stores it (`recordQoS2WhenStored`).
   *
   * A message whose id the history holds already is not routed: the same message again (a
   * QoS 1 resend whose PUBACK was lost) is acknowledged and goes nowhere, as it went out
   * the first time; another one under a kept id is refused (`id_taken`), or it would be
   * shown live and then be missing from the history. The write finds out: aedes routes a
   * QoS 1 publish a turn after authorizing it (once its PUBACK is written, lib/handlers/
   * publish.js), after the turn's batch is committed; a QoS 0 one at once, so its batch is
   * written at once.
   *
   * An agent's commands are recorded the same way, into its command log, each id once: the
   * log lists who sent what, and the agent's replies go with the command of their id, so
   * another command under a kept id would be hidden, and its replies shown as the first
   * one's. Only an agent's (`isAgent`): anyone may write to any inbox, and a log per made-up
   * agent id would fill the disk; a command to another id is routed unlogged. Replies are
   * kept with the command they name, and routed whatever the log holds. An agent's offline
   * state (the agent's own, or its Last Will: `acceptedWill`) marks the commands it accepted
   * and has not finished as left unfinished, in the same batch, after the replies before it.
   */
  accepted(packet: PublishPacket, publisher: Known, message: DecodedPayload): void;
  /**
   * authorizePublish, for a Last Will it lets go: aedes routes it at once. Each firing has an
   * id of its own (restamp-will.ts), so a will armed again in every CONNECT speaks each time.
   */
  acceptedWill(will: PublishPacket, owner: Known, message: DecodedPayload): void;
  /**
   * The `published` hook: records what entered by other paths (the broker API).
   */
  published(
    packet: AedesPublishPacket,
    client: unknown,
    callback: (error?: Error | null) => void,
  ): void;
  /**
   * Records a client's QoS 2 message when aedes stores it as received, not when it is
   * authorized. aedes stores, and then routes, a QoS 2 publish only when its packet id is
   * not already awaiting a PUBREL, in this connection or the session before it; one that
   * is gets a PUBREC and goes nowhere, being the same message again [MQTT-4.3.3-2], even
   * when it carries another payload. Recorded at authorization, such a publish put in the
   * history a message nobody got. aedes routes it after the store, and writes the PUBREC
   * after routing, so the PUBREC still means the message is in the history; written at
   * once, its id is known to be new or not before that.
   */
  recordQoS2WhenStored(incoming: IncomingStore): void;
}

type Known = NonNullable<Publisher>;

/** How a publish refused for its id is logged (as authorizePublish logs its refusals). */
export type OnIdTaken = (publisher: Publisher, topic: string, code: string, reason: string) => void;

/**
 * Whether `agent` is an agent of `org` (a user with the agent role), whose commands are
 * logged; may throw (the store failed: the command is then routed unlogged).
 */
export type IsAgent = (org: string, agent: string) => boolean;

export function createRecordHistory(
  recorder: HistoryRecorder,
  onIdTaken: OnIdTaken = () => {},
  isAgent: IsAgent = () => false,
): RecordHistory {
  // Recorded already (the published hook skips these), and QoS 2 ones waiting for their store.
  const recorded = new WeakSet<object>();
  const awaitingStore = new WeakMap<object, HistoryEntry>();

  const record = (entry: HistoryEntry, now: boolean) => {
    try {
      recorder.record(entry);
      if (now) recorder.flush();
    } catch (error) {
      recorder.onError(error);
    }
  };

  // Told before aedes routes the packet (see `accepted`), so the packet goes nowhere.
  const onIdKept = (entry: HistoryEntry, resent: boolean) => {
    const { message } = entry;
    const packet = entry.packet!; // entryOf gives onIdKept only to entries with a packet
    const topic = unmountTopic(entry.org, packet.topic) ?? packet.topic;
    discard(packet);
    if (resent) return; // delivered the first time
    let reason: string;
    switch (message.kind) {
      case 'chat-message':
        reason = `the history of room "${message.room}" holds another message with id "${message.value.id}"`;
        break;
      case 'notification':
        reason = `the notifications of "${message.user}" hold another one with id "${message.value.id}"`;
        break;
      case 'agent-inbox':
        reason = `the command log of "${message.agent}" holds another command with id "${message.value.id}"`;
        break;
      case 'agent-replies':
      case 'agent-state':
        return; // entryOf gives neither an onIdKept
    }
    onIdTaken(entry.publisher, topic, entry.will ? 'will_id_taken' : 'id_taken', reason);
  };

  const entryOf = (
    org: string,
    message: KeptOncePerId,
    packet: PublishPacket | null,
    publisher: Publisher,
    will = false,
  ): HistoryEntry => ({
    org,
    message,
    packet,
    publisher,
    will,
    // Routed already (the published hook): nothing to stop, so the history is not asked.
    onIdKept: packet === null ? null : onIdKept,
  });

  // Routed whatever the log holds: nothing to stop, so the log is not asked about ids.
  const entryForTheLog = (
    org: string,
    message: ForTheLog,
    packet: PublishPacket,
    publisher: Publisher,
    will = false,
  ): HistoryEntry => ({ org, message, packet, publisher, will, onIdKept: null });

  /** Whether to log a command to `agent`: not when the store cannot tell (reported). */
  const logsCommandsOf = (org: string, agent: string): boolean => {
    try {
      return isAgent(org, agent);
    } catch (error) {
      recorder.onError(error);
      return false;
    }
  };

  /** The entry to record for an accepted publish or will; null when nothing is kept. */
  const entryFor = (
    org: string,
    message: DecodedPayload,
    packet: PublishPacket,
    publisher: Publisher,
    will: boolean,
  ): HistoryEntry | null => {
    switch (message.kind) {
      case 'chat-message':
      case 'notification':
        return entryOf(org, message, packet, publisher, will);
      case 'agent-inbox':
        return logsCommandsOf(org, message.agent)
          ? entryOf(org, message, packet, publisher, will)
          : null;
      case 'agent-replies':
        return entryForTheLog(org, message, packet, publisher, will);
      case 'agent-state':
        // Agent states come thousands a second: the status first, and only an agent's (whose
        // commands are logged) asked about.
        return message.value.status === 'offline' && logsCommandsOf(org, message.agent)
          ? entryForTheLog(org, message, packet, publisher, will)
          : null;
      default:
        return null;
    }
  };

  const keepAccepted = (packet: PublishPacket, entry: HistoryEntry) => {
    if (packet.qos === 2) {
      awaitingStore.set(packet, entry);
      return;
    }
    record(entry, packet.qos === 0);
    recorded.add(packet);
  };

  return {
    accepted(packet, publisher, message) {
      const entry = entryFor(publisher.org, message, packet, publisher, false);
      if (entry) keepAccepted(packet, entry);
    },
    acceptedWill(will, owner, message) {
      const entry = entryFor(owner.org, message, will, owner, true);
      if (!entry) return;
      record(entry, true);
      recorded.add(will);
    },
    published(packet, _client, callback) {
      if (recorded.has(packet)) return callback(null);
      const org = orgOfMountedTopic(packet.topic);
      const topic = org === null ? null : unmountTopic(org, packet.topic);
      // Cheap prefix test first: most traffic (agent states, typing, presence) is not kept.
      // Nothing of the server's own publishes goes to an agent's inbox or replies: those
      // come from clients, and are recorded as they are authorized (`accepted`).
      if (org === null || topic === null || !/^(chat|notifications)\//.test(topic)) {
        return callback(null);
      }
      const decoded = decodePayload(topic, packet.payload);
      const message = decoded.ok ? decoded.message : null;
      if (message?.kind === 'chat-message' || message?.kind === 'notification') {
        record(entryOf(org, message, null, undefined), false);
      }
      callback(null);
    },
    recordQoS2WhenStored(incoming) {
      const store = incoming.incomingStorePacket.bind(incoming);
      incoming.incomingStorePacket = async (client, packet) => {
        await store(client, packet); // not stored: aedes routes nothing and drops the client
        const entry = awaitingStore.get(packet);
        if (!entry) return;
        awaitingStore.delete(packet);
        record(entry, true);
        recorded.add(packet);
      };
    },
  };
}
