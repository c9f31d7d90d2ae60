import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import type { Logger } from 'pino';
import {
  createAuthenticate,
  MAX_CLIENT_ID_LENGTH,
  preConnect,
  type VerifyCredentials,
} from './authenticate';
import { createAuthorizeForward } from './authorize-forward';
import { createAuthorizePublish, type Publisher, type UserStanding } from './authorize-publish';
import { createAuthorizeSubscribe } from './authorize-subscribe';
import type { PublishContext } from './check-publish';
import { createBrokerAdmin, type BrokerAdmin } from './broker-admin';
import { clipped } from './clipped';
import { collapseOverlaps } from './delivery-order';
import { deliverDirectly } from './direct-delivery';
import { addressOf } from './client-address';
import { guardClientRegistry } from './client-registry';
import { getIdentity, type ClientIdentity } from './client-identity';
import { storeGrantedOnly } from './granted-subscriptions';
import { AuthThrottle } from '../auth/auth-throttle';
import { ExpiryTimers } from './expiry-timers';
import { createKnownAgents } from './known-agents';
import { createKnownRooms } from './known-rooms';
import { pruneSubscriptions } from './live-acl';
import { PendingConnections } from './pending-connections';
import { encodePublishesOnce } from './publish-encoding';
import { openBrokerPersistence, type BrokerPersistence } from './persistence';
import { createPublishRateLimit } from './publish-rate-limit';
import { mountClientId, mountTopic, unmountTopic } from './mount-point';
import { mountUnsubscribes } from './mount-unsubscribe';
import { readAhead } from './read-ahead';
import { createRefusalLogBudget } from './refusal-log-budget';
import { capUserSessions, MAX_APP_SESSIONS_PER_USER, usersOverCap } from './session-cap';
import { expireSessions, type ExpiredSession, type ExpiryHooks } from './session-expiry';
import { clearStalePresence, type StalePresence } from './stale-presence';
import { deliverRetained } from './retained-delivery';
import { createRecordHistory, type HistoryRecorder } from './record-history';
import { startSysStats } from './sys-stats';
import { MessageCounters } from './message-counters';
import { packetSizeLimit } from './transports/packet-size-limit';

export const CONNECT_TIMEOUT_MS = 10_000; // a socket that never sends CONNECT is dropped
// aedes checks for orphaned wills every 4 heartbeats: 20 s after a restart at this pace.
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const DRAIN_TIMEOUT_MS = 10_000; // generous for a phone on a bad network
/**
 * Messages aedes' emitter routes at once; the rest wait in its queue, and so do the
 * PUBACKs and the next reads of their publishers. A message holds its slot until every
 * subscriber's delivery has called back, a turn or two of a busy event loop, so aedes'
 * 100 capped a broker at about 100 messages per turn: at 10,000 msg/s into one page
 * (`npm run bench:page`), messages waited 120–300 ms (p50) between being parsed and
 * leaving for the page, and p99 to the page was 0.8–4.3 s; with 1,000, 10–31 ms and
 * 0.12–0.35 s.
 * A subscriber that stops reading holds at most this many messages up, for at most
 * `DRAIN_TIMEOUT_MS`.
 */
export const ROUTING_CONCURRENCY = 1_000;

export interface BrokerOptions {
  dataDir: string;
  logger: Logger;
  verifyCredentials: VerifyCredentials;
  /** Where a user stands now, for wills as they go out; null when removed. */
  standingOf(org: string, user: string): UserStanding | null;
  history: HistoryRecorder;
  maxPacketBytes: number;
  /** Whether the room exists now, read from the store (the broker keeps those found). */
  roomExists(org: string, room: string): boolean;
  /**
   * Whether the user is an agent of the org now, read from the store (the broker keeps
   * those found for a while): only their commands are logged.
   */
  isAgent(org: string, user: string): boolean;
  /** How long the history keeps a chat message: an older `sentAt` is refused. */
  historyRetentionMs: number;
  /**
   * A person's chat messages, typing and agent commands per second, sustained, and at once
   * after a pause (publish-rate-limit.ts); a rate of 0: no limit.
   */
  publishRate: { perSecond: number; burst: number };
  /**
   * Whether the user is a person of the org now (a member or an admin), read from the
   * store: only people's chat and commands are paced.
   */
  isPerson(org: string, user: string): boolean;
}

export interface Broker {
  readonly aedes: Aedes;
  /** Serves one MQTT connection over any byte stream (TCP, TLS, WebSocket). */
  handle(stream: Duplex, request?: IncomingMessage): void;
  /** Live connections and who they belong to. */
  connections(): ClientIdentity[];
  /**
   * Closes every connection whose identity matches, for cause (a kick, a revocation, a
   * user disabled or changed): their Last Wills may say only their own presence or agent
   * state. Returns how many.
   */
  disconnect(match: (identity: ClientIdentity) => boolean): number;
  /** What the admin console reads and changes, per org. */
  readonly admin: BrokerAdmin;
  /**
   * Drops the app's (token) persistent sessions whose client has not been connected since
   * `before` (ms since the epoch): subscriptions, queue, retained presence (session-expiry.ts).
   */
  expireSessions(before: number, intervalMs: number): Promise<ExpiredSession[]>;
  /**
   * Clears the retained presences in `orgs` unchanged since `before` (ms since the epoch)
   * that no connection or stored session stands behind (stale-presence.ts).
   */
  clearStalePresence(orgs: readonly string[], before: number): Promise<StalePresence[]>;
  /** The topics with a retained message that match `filter`, as the org's clients name them. */
  retainedTopics(org: string, filter: string): string[];
  close(): Promise<void>;
}

export async function createBroker(options: BrokerOptions): Promise<Broker> {
  // `what`: the retained topic or the client id whose queued messages were being written, or
  // '(journal)' (the crash journal), '(stray filters)' (the start's sweep of stored filters).
  const persistence = openBrokerPersistence(options.dataDir, (error, what) =>
    options.logger.error(
      { event: 'broker_write_failed', what, err: error },
      'broker state not saved',
    ),
  );
  // What a broker that fails to start had opened, newest last: closed, then the store, so
  // no half-started process keeps the data dir's broker store (and its LevelDB lock) open.
  const opened: (() => Promise<void>)[] = [];
  try {
    return await brokerOn(persistence, options, opened);
  } catch (error) {
    for (const close of [...opened].reverse()) {
      await close().catch((closeError: unknown) =>
        options.logger.error(
          { event: 'broker_close_failed', err: closeError },
          'broker not closed',
        ),
      );
    }
    await persistence
      .destroy()
      .catch((closeError: unknown) =>
        options.logger.error(
          { event: 'broker_close_failed', err: closeError },
          'broker store not closed',
        ),
      );
    throw error;
  }
}

async function brokerOn(
  persistence: BrokerPersistence,
  options: BrokerOptions,
  opened: (() => Promise<void>)[],
): Promise<Broker> {
  const { logger } = options;
  const expiry = new ExpiryTimers<Client>();
  const live = new Map<Client, ClientIdentity>();
  // Session expiry and the cap: ids whose stored session is being dropped (a CONNECT of one
  // waits).
  const dropping = new Map<string, Promise<void>>();
  // People's persistent sessions, the only ones that expire and are capped: the app's
  // (a token), and a person's own MQTT client with their password (review: 25 of alice's
  // password sessions on every room were never counted). Those of agents, services and
  // devices may rely on their session for good. Decided once a connection, at its CONNECT.
  const peoplesSessions = new WeakSet<Client>();
  const notePeoplesSession = (client: Client, identity: ClientIdentity): boolean => {
    if (client.clean) return false;
    let person = identity.jti !== null;
    try {
      person ||= options.isPerson(identity.org, identity.user);
    } catch {
      // Not known: kept as a device's would be, rather than dropped by mistake later.
    }
    if (person) peoplesSessions.add(client);
    return person;
  };
  const isPeoplesSession = (client: Client) => peoplesSessions.has(client);
  // The cap on people's sessions, per `<org>:<user>:`: one user's decisions go one at a
  // time, so two never count the same sessions (nor one being dropped), and the broker's
  // close waits for them.
  const capping = new Map<string, Promise<unknown>>();
  let closing = false;
  const pending = new PendingConnections();

  storeGrantedOnly(persistence);
  // Nothing of a session's queue goes to a client gone or being closed: aedes would clear
  // what authorizeForward refuses it, and the queue is the session's next connection's.
  persistence.outgoing.withholdQueueFrom = (client) =>
    (client as Client).closed || getIdentity(client as Client)?.closing === true;
  const counters = new MessageCounters();
  opened.push(async () => counters.stop());
  const limitPacketSize = packetSizeLimit(options.maxPacketBytes);
  const rateLimit = createPublishRateLimit({
    ratePerSecond: options.publishRate.perSecond,
    burst: options.publishRate.burst,
    isPerson: options.isPerson,
    logger,
  });
  opened.push(async () => rateLimit.close());
  const knownRooms = createKnownRooms(options.roomExists);
  const publishContext: PublishContext = {
    now: Date.now,
    historyRetentionMs: options.historyRetentionMs,
    roomExists: (org, room) => knownRooms.has(org, room),
  };
  const refusalLog = createRefusalLogBudget();
  /** How many refusals of the user's were left out of the log before this line, if any. */
  const leftOutBefore = (who: Publisher): { leftOut?: number } | null => {
    const leftOut = refusalLog.take(who ? `${who.org}\0${who.user}` : '');
    if (leftOut === null) return null;
    return leftOut > 0 ? { leftOut } : {};
  };
  const logDenied = (publisher: Publisher, topic: string, code: string, reason: string) => {
    const leftOut = leftOutBefore(publisher);
    if (!leftOut) return;
    logger.warn(
      {
        event: 'publish_denied',
        code,
        topic: clipped(topic),
        org: publisher?.org,
        user: publisher?.user,
        ...leftOut,
      },
      clipped(reason),
    );
  };
  const knownAgents = createKnownAgents(options.isAgent);
  const history = createRecordHistory(options.history, logDenied, (org, agent) =>
    knownAgents.has(org, agent),
  );
  history.recordQoS2WhenStored(persistence);
  encodePublishesOnce();
  const hold: ExpiryHooks['hold'] = (mountedId, work) => {
    // After any drop of the same id under way (expiry and the cap may both pick it).
    const done = (dropping.get(mountedId) ?? Promise.resolve())
      .catch(() => undefined)
      .then(work)
      .finally(() => {
        if (dropping.get(mountedId) === done) dropping.delete(mountedId);
      });
    dropping.set(mountedId, done);
    return done;
  };
  // The cap's drops under way, decided already: the broker's close waits for them.
  const capDrops = new Set<Promise<void>>();
  /**
   * Caps the user's app sessions (session-cap.ts) after `after`, in turn with their other
   * decisions. Resolves once it is decided which go; `gone` once they are.
   */
  const capSessions = (
    org: string,
    user: string,
    after: Promise<unknown>,
    connecting?: string,
  ): Promise<{ gone: Promise<void> }> => {
    if (closing) return Promise.resolve({ gone: Promise.resolve() });
    const key = mountClientId(org, user, '');
    const hooks = { inUse, hold, dropping: (mountedId: string) => dropping.has(mountedId) };
    const run = (capping.get(key) ?? Promise.resolve())
      .then(() => after)
      .then(() =>
        closing ? null : capUserSessions(aedes, persistence, hooks, { org, user, connecting }),
      )
      .then(
        (decision) => {
          if (!decision || decision.dropping.length === 0) return { gone: Promise.resolve() };
          const gone = decision.done
            .then(
              (dropped) =>
                logger.info(
                  {
                    event: 'sessions_over_cap_dropped',
                    org,
                    user,
                    clientIds: dropped.map((session) => session.clientId),
                  },
                  `a user keeps at most ${MAX_APP_SESSIONS_PER_USER} app sessions: the least recently seen dropped`,
                ),
              (error: unknown) => capFailed(org, user, error),
            )
            .finally(() => capDrops.delete(gone));
          capDrops.add(gone);
          return { gone };
        },
        (error: unknown) => {
          capFailed(org, user, error);
          return { gone: Promise.resolve() };
        },
      )
      .finally(() => {
        if (capping.get(key) === run) capping.delete(key);
      });
    capping.set(key, run);
    return run;
  };
  const capFailed = (org: string, user: string, error: unknown) =>
    logger.error(
      { event: 'session_cap_failed', org, user, err: error },
      'app sessions over the cap not dropped',
    );
  const aedes = await Aedes.createBroker({
    // Each start gets a fresh broker id (the default): aedes fires the stored Last Wills
    // of sessions whose broker has stopped beating, which is how presence and agent states
    // turn offline for clients that never came back after a restart.
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    // A subscriber that stops reading holds up delivery to everyone else until its socket
    // drains or it is dropped; aedes' default waits a minute.
    drainTimeout: DRAIN_TIMEOUT_MS,
    concurrency: ROUTING_CONCURRENCY,
    persistence,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxClientsIdLength: MAX_CLIENT_ID_LENGTH,
    preConnect(client, packet, callback) {
      deliverDirectly(client, persistence);
      preConnect(client, packet, callback);
    },
    authenticate: createAuthenticate({
      dropping: (mountedId) => dropping.get(mountedId),
      verifyCredentials: options.verifyCredentials,
      throttle: new AuthThrottle(),
      addressOf,
      onIdentified: (client, identity) => pending.identified(client, identity),
      // A person's new session past the cap pushes out their least recently seen: the
      // CONNECT waits for the decision, not for the drops (a CONNECT of one waits for that).
      beforeAccept: async (client, identity) => {
        if (!notePeoplesSession(client, identity)) return;
        await capSessions(identity.org, identity.user, Promise.resolve(), client.id);
      },
      onAuthenticated(client, identity) {
        if (identity.expiresAt !== null) {
          expiry.schedule(client, identity.expiresAt, () => {
            logger.info(
              {
                event: 'token_expired',
                org: identity.org,
                user: identity.user,
                clientId: identity.clientId,
              },
              'token expired: connection closed',
            );
            client.close();
          });
        }
      },
      publishContext,
      onRefused(client, error) {
        logger.warn(
          {
            event: 'connect_refused',
            code: error.code,
            returnCode: error.returnCode,
            address: addressOf(client),
          },
          // A will refused quotes its reason, which may quote its topic (65,535 bytes).
          clipped(error.message),
        );
      },
    }),
    authorizePublish: counters.countingPublishes(
      createAuthorizePublish({
        onDenied: logDenied,
        onAccepted: history.accepted,
        onWillAccepted: history.acceptedWill,
        standingOf: options.standingOf,
        publishContext,
        pace: rateLimit.pace,
        onCheckFailed(publisher, topic, error) {
          logger.error(
            {
              event: 'publish_check_failed',
              topic: clipped(topic),
              org: publisher?.org,
              user: publisher?.user,
              err: error,
            },
            'a publish could not be checked: the store failed (a Last Will is then checked as far as is known; a live publish closes its connection, to be sent again)',
          );
        },
      }),
    ),
    authorizeSubscribe: createAuthorizeSubscribe({
      onRestoredOverLimit(client, mounted) {
        persistence
          .removeSubscriptions(client, [mounted])
          .catch((error: unknown) =>
            logger.error(
              { event: 'broker_write_failed', what: client.id, err: error },
              'a stored filter over the limit not removed',
            ),
          );
      },
      onDenied(client, filter, code, reason) {
        const identity = getIdentity(client);
        const leftOut = leftOutBefore(identity);
        if (!leftOut) return;
        logger.warn(
          {
            event: 'subscribe_denied',
            code,
            filter: clipped(filter),
            org: identity?.org,
            user: identity?.user,
            ...leftOut,
          },
          clipped(reason),
        );
      },
    }),
    authorizeForward: collapseOverlaps(
      counters.countingForwards(
        createAuthorizeForward({
          onWithheld: (client, packet) => persistence.outgoing.dropUnsent(client.id, packet),
        }),
      ),
    ),
    published: history.published,
  });
  opened.push(() => new Promise<void>((resolve) => aedes.close(() => resolve())));
  guardClientRegistry(aedes);

  const startedAt = Date.now();
  const sysStats = startSysStats(
    aedes,
    () => live.values(),
    startedAt,
    (org) => counters.rates(org),
  );
  opened.push(async () => sysStats.stop());
  /** The (mounted) ids of connections open now, registered or still being set up. */
  const inUse = () => {
    const ids = new Set(pending.ids());
    for (const client of live.keys()) if (!client.closed) ids.add(client.id);
    return ids;
  };
  // When each of people's sessions was last in use, for session expiry and the cap.
  const noteSeen = (client: Client): Promise<void> => {
    if (!isPeoplesSession(client)) return Promise.resolve();
    return persistence
      .markSeen([client.id], Date.now())
      .catch((error: unknown) =>
        logger.error(
          { event: 'broker_write_failed', what: client.id, err: error },
          'last seen not saved',
        ),
      );
  };
  aedes.on('client', (client) => {
    const identity = getIdentity(client);
    if (!identity) return;
    const registration = pending.registered(client);
    noteSeen(client);
    live.set(client, identity);
    // Its stored subscriptions were restored under the rules it read at CONNECT: if an
    // admin changed them since, those the new ones forbid go now (not for one closing
    // below: its session stays as it was).
    if (registration.rulesChanged && !registration.close) {
      pruneSubscriptions(client, identity, persistence).catch((error: unknown) =>
        logger.error(
          { event: 'acl_apply_failed', org: identity.org, user: identity.user, err: error },
          'rules changed while connecting not applied',
        ),
      );
    }
    sysStats.changed();
    logger.info(
      {
        event: 'client_connected',
        org: identity.org,
        user: identity.user,
        clientId: identity.clientId,
        address: addressOf(client),
      },
      'client connected',
    );
    // Disconnected by an admin while it was set up: closed now, the way any client is.
    if (registration.close) client.close();
  });
  aedes.on('clientDisconnect', (client) => {
    expiry.cancel(client);
    // Only registered clients are reported gone (client-registry.ts), so all are in `live`.
    const identity = live.get(client);
    if (identity && isPeoplesSession(client)) {
      // Once its leaving is noted: it is then the user's most recently seen session. The
      // cap at CONNECT cannot drop sessions still connected; this drops them as they leave.
      capSessions(identity.org, identity.user, noteSeen(client));
    }
    // Its unacknowledged messages join its queue on disk, for its next connection.
    void persistence.outgoing.flushClient(client.id);
    live.delete(client);
    sysStats.changed();
    if (identity)
      logger.info(
        {
          event: 'client_disconnected',
          org: identity.org,
          user: identity.user,
          clientId: identity.clientId,
        },
        'client disconnected',
      );
  });
  // A new $SYS subscriber gets fresh figures at once: retained ones may still be on their
  // way to disk when its SUBSCRIBE looks them up, and the next round is seconds away.
  aedes.on('subscribe', (subscriptions, client) => {
    deliverRetained(persistence.retained, client, subscriptions);
    if (subscriptions.some((sub) => sub.topic.includes('/$SYS/'))) sysStats.changed();
  });
  // aedes emits this for what fails outside any client (its sweep of stored wills, say):
  // without a listener, the process would end.
  (aedes as unknown as EventEmitter).on('error', (error: unknown) => {
    logger.error({ event: 'broker_error', err: error }, 'broker error');
  });
  aedes.on('clientError', (client, error) => {
    expiry.cancel(client);
    pending.gone(client);
    logger.info(
      {
        event: 'client_error',
        address: addressOf(client),
        clientId: getIdentity(client)?.clientId,
      },
      clipped(error.message), // a refused will's reason names its topic
    );
  });
  aedes.on('connectionError', (client, error) => {
    logger.info({ event: 'connection_error', address: addressOf(client) }, clipped(error.message));
  });

  return {
    aedes,
    handle(stream, request) {
      const client = aedes.handle(stream, request);
      limitPacketSize(client);
      mountUnsubscribes(client);
      readAhead(client);
    },
    connections: () => [...live].filter(([client]) => !client.closed).map(([, id]) => id),
    disconnect(match) {
      let count = 0;
      for (const [client, identity] of live) {
        // Closed but not yet reported gone (a WebSocket close takes a turn or two).
        if (client.closed || !match(identity)) continue;
        // Closed for cause: its Last Will may say only its own state (authorize-publish.ts).
        identity.closing = true;
        client.close();
        count++;
      }
      return count + pending.closeMatching(match);
    },
    admin: createBrokerAdmin({ aedes, live, pending, inUse, persistence, counters, startedAt }),
    async expireSessions(before, intervalMs) {
      const expired = await expireSessions(
        aedes,
        persistence,
        {
          inUse,
          peoplesSessions: [...live]
            .filter(([client]) => !client.closed && isPeoplesSession(client))
            .map(([client]) => client.id),
          hold,
        },
        { before, intervalMs },
      );
      // Those left over the cap by connections that never reported leaving (a crash).
      const over = await usersOverCap(persistence);
      const decisions = await Promise.all(
        over.map(({ org, user }) => capSessions(org, user, Promise.resolve())),
      );
      await Promise.all(decisions.map(({ gone }) => gone));
      return expired;
    },
    clearStalePresence: (orgs, before) =>
      clearStalePresence(aedes, persistence, orgs, inUse, before),
    retainedTopics(org, filter) {
      const topics: string[] = [];
      for (const packet of persistence.retained.match(mountTopic(org, filter))) {
        const topic = unmountTopic(org, packet.topic);
        if (topic !== null) topics.push(topic);
      }
      return topics;
    },
    async close() {
      sysStats.stop();
      counters.stop();
      rateLimit.close();
      expiry.clear();
      // The cap's drops publish and write: none starts now, and those under way finish.
      closing = true;
      await Promise.all(capping.values());
      await Promise.all(capDrops);
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await persistence.destroy();
    },
  };
}
