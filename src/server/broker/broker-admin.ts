import type { Aedes, Client } from 'aedes';
import type { AclRule } from '../../shared/acl';
import { agentStateTopic, presenceTopic } from '../../shared/topics';
import { watchAcceptedPublishes, type IncomingPackets } from './accepted-publishes';
import type { ClientIdentity } from './client-identity';
import {
  giveRules,
  pruneStoredSubscriptions,
  pruneSubscriptions,
  subscriptionsOf,
} from './live-acl';
import type { MessageCounters } from './message-counters';
import { mountTopic, parseMountedClientId, unmountTopic } from './mount-point';
import { markPresenceOffline } from './offline-presence';
import type { PendingConnections } from './pending-connections';
import type { BrokerPersistence } from './persistence';
import { clearRetained, retainedMessages, type RetainedMessage } from './retained-messages';
import {
  describeLive,
  describeStored,
  type LiveSession,
  type StoredSession,
} from './session-views';

export type { LiveSession, StoredSession } from './session-views';
export type { RetainedMessage } from './retained-messages';

export interface OrgHealth {
  connections: number;
  /** Subscriptions of the org's live connections. */
  subscriptions: number;
  retained: number;
  messagesInPerSecond: number;
  messagesOutPerSecond: number;
  /** The whole server process's: one process serves every org. */
  memory: { rssBytes: number; heapUsedBytes: number };
  uptimeSeconds: number;
}

/**
 * The user there now under an id whose old user was removed (external-changes.ts): what is
 * the new user's must not go with the old one's.
 */
export interface Recreated {
  /** When the new user was created (ms since the epoch): connections since are theirs. */
  createdAt: number;
  /** The client ids the new user's connections have used since, open or gone. */
  clientIds: ReadonlySet<string>;
}

/**
 * Asked just before the broker reads what to spare, so that what the new user did while
 * the call waited counts: undefined when no user is there under the id (then nothing is).
 */
export type CurrentUser = () => Recreated | undefined;

/** Everything the admin console reads from and changes in the broker, one org at a time. */
export interface BrokerAdmin {
  /** Sorted by user, then client id. */
  liveSessions(org: string): Promise<LiveSession[]>;
  /** Persistent sessions whose client is away. Sorted by user, then client id. */
  storedSessions(org: string): Promise<StoredSession[]>;
  /**
   * Forgets an away persistent session (subscriptions and queue), as a clean-session
   * CONNECT would; only `user`'s when given. A connected one is left alone.
   * @returns how many sessions were cleared
   */
  clearStoredSession(org: string, clientId: string, user?: string): Promise<number>;
  /**
   * Forgets every stored session of a user (who was deleted) whose client is away; returns
   * how many. Called after their connections were closed; what those had accepted lands
   * first. With `current` (the id may have a new user), none that a connection is being set
   * up with either, nor those of the client ids the new user has connected with.
   */
  forgetUser(org: string, user: string, current?: CurrentUser): Promise<number>;
  /**
   * Clears a (deleted) user's last-known states: the retained presence of each of their
   * client ids, and their agent state, so no board or people list keeps them; returns how
   * many were cleared. Called after their connections were closed; what those had
   * accepted lands first. With `current` and a new user there, the presences of the client
   * ids they have connected with are left, and the agent state if they have connected at all.
   */
  clearLastKnown(org: string, user: string, current?: CurrentUser): Promise<number>;
  /**
   * Says offline, as of now, in each retained presence of a (disabled) user's that still
   * says online, but for the client ids connected now; returns how many. Called after their
   * connections were closed: those that ended without their will (a DISCONNECT) left it
   * online, and no connection of theirs comes to correct it (offline-presence.ts).
   */
  markOffline(org: string, user: string): Promise<number>;
  /**
   * Gives `user`'s live connections new rules and removes the subscriptions those no
   * longer allow, from their away persistent sessions too (see live-acl.ts).
   */
  applyRules(
    org: string,
    user: string,
    rules: AclRule[],
  ): Promise<{ connections: number; removed: string[] }>;
  /** Topic order; at most `limit`, `truncated` when there were more. */
  retained(
    org: string,
    prefix: string,
    limit: number,
  ): Promise<{ messages: RetainedMessage[]; truncated: boolean }>;
  hasRetained(org: string, topic: string): Promise<boolean>;
  clearRetained(org: string, topic: string): Promise<void>;
  health(org: string): Promise<OrgHealth>;
}

export interface BrokerAdminDeps {
  aedes: Aedes;
  live: ReadonlyMap<Client, ClientIdentity>;
  persistence: BrokerPersistence;
  counters: MessageCounters;
  /** Connections aedes has accepted but not registered yet. */
  pending: PendingConnections;
  /** The (mounted) ids of connections open now, registered or pending. */
  inUse(): ReadonlySet<string>;
  /** ms since the epoch */
  startedAt: number;
}

export function createBrokerAdmin(deps: BrokerAdminDeps): BrokerAdmin {
  const { aedes, live, persistence, counters } = deps;
  // aedes-persistence has the lookup too; BrokerPersistence lists only what Switchboard
  // calls itself.
  const accepted = watchAcceptedPublishes(persistence as BrokerPersistence & IncomingPackets);

  function* clientsOf(org: string, user?: string): Generator<[Client, ClientIdentity]> {
    for (const entry of live) {
      const [client, identity] = entry;
      if (client.closed) continue; // closing: aedes has not reported it gone yet
      if (identity.org === org && (user === undefined || identity.user === user)) yield entry;
    }
  }

  const connectedIds = () =>
    new Set([...live.keys()].filter((client) => !client.closed).map((client) => client.id));

  /**
   * The client ids of `user`'s connections open now, registered or being set up, that
   * connected since `since`: not those of an old user with the id, closed or marked closing.
   */
  function inUseBy(org: string, user: string, since: number): Set<string> {
    const ids = new Set<string>();
    const add = (identity: ClientIdentity) => {
      if (identity.org === org && identity.user === user && identity.connectedAt >= since)
        ids.add(identity.clientId);
    };
    for (const [, identity] of clientsOf(org, user)) add(identity);
    for (const identity of deps.pending.identities()) add(identity);
    return ids;
  }

  type StoredRef = { mountedId: string; org: string; user: string; clientId: string };

  /**
   * The org's stored sessions matching `match` whose client is not connected (`connected`:
   * registered ones by default; pass deps.inUse to leave out those being set up too), asked
   * once the stored ones are read.
   */
  async function awaySessions(
    org: string,
    match: (s: StoredRef) => boolean,
    connectedNow: () => ReadonlySet<string> = connectedIds,
  ) {
    const found: StoredRef[] = [];
    const stored = await persistence.storedClientIds();
    const connected = connectedNow();
    for (const mountedId of stored) {
      const parsed = parseMountedClientId(mountedId);
      if (parsed?.org !== org || connected.has(mountedId)) continue;
      const ref = { mountedId, ...parsed };
      if (match(ref)) found.push(ref);
    }
    return found;
  }

  return {
    async liveSessions(org) {
      const sessions = await Promise.all(
        [...clientsOf(org)].map(([client, identity]) =>
          describeLive(client, identity, persistence),
        ),
      );
      return sessions.sort(
        (a, b) => a.user.localeCompare(b.user) || a.clientId.localeCompare(b.clientId),
      );
    },

    storedSessions: (org) => describeStored(org, persistence, connectedIds()),

    async clearStoredSession(org, clientId, user) {
      // Not one aedes is restoring for a connection right now.
      const sessions = await awaySessions(
        org,
        (s) => s.clientId === clientId && (user === undefined || s.user === user),
        deps.inUse,
      );
      for (const { mountedId } of sessions) await persistence.forgetSession(mountedId);
      return sessions.length;
    },

    async forgetUser(org, user, current) {
      // A QoS 2 publish a closed connection had accepted is stored under its session once
      // looked up: stored after the session's clean, it would stay behind for good.
      await accepted.landed(org, user);
      // aedes keeps neither owner nor creation time with a session: the new user's are told
      // by the client ids their connections used (the server saw each). One connection of
      // theirs that reused an old client id before this resumed the old session at its
      // CONNECT, queue and all; that cannot be undone here, and its session stays theirs.
      let newUsers: ReadonlySet<string> = new Set();
      const sessions = await awaySessions(
        org,
        (s) => s.user === user && !newUsers.has(s.clientId),
        () => {
          // Read in the turn the sessions are picked.
          newUsers = current?.()?.clientIds ?? newUsers;
          // The new user's connection may be restoring one right now.
          return current ? deps.inUse() : connectedIds();
        },
      );
      for (const { mountedId } of sessions) await persistence.forgetSession(mountedId);
      return sessions.length;
    },

    async clearLastKnown(org, user, current) {
      await accepted.landed(org, user);
      const now = current?.();
      // Those open now that connected since the new user's creation are theirs.
      const open = now ? inUseBy(org, user, now.createdAt) : new Set<string>();
      const theirs = new Set([...open, ...(now?.clientIds ?? [])]);
      const keepState = theirs.size > 0;
      const kept = new Set([...theirs].map((clientId) => presenceTopic(user, clientId)));
      const topics: string[] = [];
      for (const packet of persistence.retained.match(mountTopic(org, presenceTopic(user, '#')))) {
        const topic = unmountTopic(org, packet.topic);
        if (topic?.startsWith(presenceTopic(user, '')) && !kept.has(topic)) topics.push(topic);
      }
      const state = agentStateTopic(user);
      if (!keepState && !persistence.retained.match(mountTopic(org, state)).next().done)
        topics.push(state);
      // Cleared in the turn they were read (aedes retains an empty publish at once): nothing
      // a connection of the new user says meanwhile is taken for the old user's.
      await Promise.all(topics.map((topic) => clearRetained(aedes, org, topic)));
      return topics.length;
    },

    async markOffline(org, user) {
      await accepted.landed(org, user);
      return markPresenceOffline(aedes, persistence.retained, org, user, () => {
        const ids = new Set<string>();
        for (const [, identity] of clientsOf(org, user)) ids.add(identity.clientId);
        return ids;
      });
    },

    async applyRules(org, user, rules) {
      // Every connection of the user first, in one go: none delivers under the old rules
      // while another's subscriptions are being pruned. Those still being set up prune
      // theirs when they register (broker.ts); their stored sessions count as away below.
      const pending = deps.pending.giveRules(org, user, rules);
      const connected = [...clientsOf(org, user)];
      for (const [, identity] of connected) giveRules(identity, rules);
      const removed = new Set<string>();
      for (const [client, identity] of connected) {
        for (const filter of await pruneSubscriptions(client, identity, persistence))
          removed.add(filter);
      }
      for (const session of await awaySessions(org, (s) => s.user === user)) {
        for (const filter of await pruneStoredSubscriptions(persistence, session, rules))
          removed.add(filter);
      }
      return { connections: connected.length + pending, removed: [...removed].sort() };
    },

    async retained(org, prefix, limit) {
      const messages: RetainedMessage[] = [];
      for await (const message of retainedMessages(persistence, org, prefix)) {
        if (messages.length === limit) return { messages, truncated: true };
        messages.push(message);
      }
      return { messages, truncated: false };
    },

    async hasRetained(org, topic) {
      for await (const message of retainedMessages(persistence, org, topic)) {
        if (message.topic === topic) return true;
      }
      return false;
    },

    clearRetained: (org, topic) => clearRetained(aedes, org, topic),

    async health(org) {
      let connections = 0;
      let subscriptions = 0;
      for (const [client] of clientsOf(org)) {
        connections++;
        subscriptions += subscriptionsOf(client).length;
      }
      let retained = 0;
      const all = retainedMessages(persistence, org);
      while (!(await all.next()).done) retained++;
      const { inPerSecond, outPerSecond } = counters.rates(org);
      const memory = process.memoryUsage();
      return {
        connections,
        subscriptions,
        retained,
        messagesInPerSecond: inPerSecond,
        messagesOutPerSecond: outPerSecond,
        memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
        uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1_000),
      };
    },
  };
}
