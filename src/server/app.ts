import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { canUseApp } from '../shared/acl';
import { createTokenIssuer, type TokenIssuer } from './auth/tokens';
import { createBatchedHistory } from './broker/batched-history';
import { effectiveRules } from './auth/effective-rules';
import { createBroker, type Broker } from './broker/broker';
import { listenTcp } from './broker/transports/tcp';
import { attachWebSocketTransport, MQTT_WEBSOCKET_PATH } from './broker/transports/websocket';
import { createVerifyCredentials } from './broker/verify-credentials';
import type { Config } from './config';
import { saveDemoCredentials } from './demo-credentials';
import { followExternalChanges } from './external-changes';
import { createHistoryFailures } from './history-failures';
import { buildHttpApi, trustedProxies } from './http';
import { createLogger } from './logger';
import { createMentionNotifications } from './mention-notifications';
import { makeDataDirPrivate } from './private-data-dir';
import { seedDemo, type SeedResult } from './seed';
import { DEFAULT_AUTO_CHECKPOINT_PAGES, openStorage, type Storage } from './storage';
import { startWalCheckpointer, WRITER_CHECKPOINT_PAGES } from './storage/wal-checkpointer';

const PRUNE_INTERVAL_MS = 60 * 60 * 1_000; // retention is in days, tokens in hours: hourly is plenty
const MS_PER_DAY = 86_400_000;

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  httpUrl: string;
  /** e.g. ws://127.0.0.1:8080/mqtt */
  wsUrl: string;
  /** e.g. mqtt://127.0.0.1:1883 (mqtts:// with TLS) */
  mqttUrl: string;
  seed: SeedResult;
  tokens: TokenIssuer;
  broker: Broker;
  storage: Storage;
  http: FastifyInstance;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Seed the demo org into an empty data dir (default true). */
  seed?: boolean;
  /**
   * Gives the start up (a Ctrl-C as it catches up with the user change log, say): it closes
   * what it has opened, at the next step, and rejects with the signal's reason. Read only
   * while starting: once the server runs, `close` stops it.
   */
  signal?: AbortSignal;
}

/** The whole system in one process: HTTP API, app, and the broker on WebSocket and TCP. */
export async function startServer(
  config: Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  options.signal?.throwIfAborted();
  // Password hashes, history and queues: for the server's user only.
  makeDataDirPrivate(config.dataDir, logger);
  const storage = openStorage(config.dataDir);
  const cleanups: (() => Promise<void> | void)[] = [() => storage.close()];
  // Once, newest first, however many signals ask: the database closes last.
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      for (const cleanup of [...cleanups].reverse()) await cleanup();
    })());
  // Its own, aborted only while starting: an abort once the server runs must not cut its
  // catch-ups short (external-changes.ts). Checked after each step that awaits, once what
  // that step opened is in `cleanups`: a start given up on closes it below.
  const starting = new AbortController();
  const giveUp = () => starting.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', giveUp, { once: true });
  const { signal } = starting;
  try {
    // A worker checkpoints the write-ahead log off the event loop, the commits only as a
    // backstop; if the worker ends, they take the checkpoints back (wal-checkpointer.ts).
    const checkpointsBack = (err: unknown) => {
      storage.autoCheckpoint(DEFAULT_AUTO_CHECKPOINT_PAGES);
      logger.error(
        { event: 'wal_checkpointer_stopped', err },
        'the WAL checkpointer stopped; commits checkpoint the log again',
      );
    };
    try {
      const checkpointer = startWalCheckpointer(storage.file, {
        onError: (err) =>
          logger.warn({ event: 'wal_checkpoint_failed', err }, 'a WAL checkpoint failed'),
        onStopped: checkpointsBack,
      });
      storage.autoCheckpoint(WRITER_CHECKPOINT_PAGES);
      cleanups.push(() => checkpointer.stop());
    } catch (err) {
      checkpointsBack(err);
    }
    const seed =
      options.seed === false
        ? { created: false, logins: [] }
        : await seedDemo(storage, { password: config.demoPassword, agents: config.demoAgents });
    if (seed.created) saveDemoCredentials(config.dataDir, seed.logins);
    signal.throwIfAborted();

    const tokens = await createTokenIssuer({
      dataDir: config.dataDir,
      ttlSeconds: config.tokenTtlSeconds,
      revoked: storage.tokens,
    });
    signal.throwIfAborted();
    const historyFailures = createHistoryFailures(logger);
    const mentions = createMentionNotifications({
      storage,
      aedes: () => broker.aedes,
      logger,
    });
    const history = createBatchedHistory(
      {
        chatMessage: (org, room, message) => storage.history.record(org, room, message),
        notification: (org, user, notification) =>
          storage.notifications.record(org, user, notification),
        agentCommand: (org, agent, command) =>
          storage.agentCommands.recordCommand(org, agent, command),
        agentReply: (org, agent, reply) => storage.agentCommands.recordReply(org, agent, reply),
        agentLeft: (org, agent) => void storage.agentCommands.markAgentLeft(org, agent),
        holdsChatMessage: (org, room, message) => storage.history.holds(org, room, message),
        holdsNotification: (org, user, notification) =>
          storage.notifications.holds(org, user, notification),
        holdsAgentCommand: (org, agent, command) =>
          storage.agentCommands.holds(org, agent, command),
        transaction: (work) => storage.transaction(work),
      },
      historyFailures.onError,
      mentions,
    );
    cleanups.push(() => history.flush()); // after the broker has closed, before the database
    const broker = await createBroker({
      dataDir: config.dataDir,
      logger,
      maxPacketBytes: config.maxPacketBytes,
      verifyCredentials: createVerifyCredentials({ users: storage.users, tokens }),
      standingOf: (org, user) => {
        const record = storage.users.getUser(org, user);
        if (!record) return null;
        return { disabled: record.disabled, rules: () => effectiveRules(storage.users, record) };
      },
      history,
      roomExists: (org, room) => storage.rooms.has(org, room),
      isAgent: (org, user) => storage.users.getUser(org, user)?.role === 'agent',
      isPerson: (org, user) => {
        const role = storage.users.getUser(org, user)?.role;
        return role !== undefined && canUseApp(role);
      },
      historyRetentionMs: config.historyRetentionDays * MS_PER_DAY,
      publishRate: { perSecond: config.chatRatePerSecond, burst: config.chatBurst },
    });
    cleanups.push(() => broker.close());
    // Before the broker closes (cleanups run last first), once no transport brings more:
    // what the last commit hands on is published while the broker can still take it.
    cleanups.push(async () => {
      history.flush();
      await mentions.stop();
    });
    signal.throwIfAborted();
    // Once the broker is up: it catches up at once with users removed or disabled while the
    // server was down. Stopped, and its catch-up awaited, before the broker closes: it publishes.
    // A start given up on leaves the rest of the catch-up for the next.
    const externalChanges = followExternalChanges(storage, broker, logger, { signal });
    cleanups.push(externalChanges.stop);

    const tls = config.tls;
    let listening = false; // every listener up: GET /healthz says ok from then on
    const app = await buildHttpApi({
      config,
      storage,
      tokens,
      logger,
      broker,
      historyFailedAt: historyFailures.failedAt,
      ready: () => listening,
      serverFactory: (handler) =>
        tls
          ? https.createServer({ cert: tls.cert, key: tls.key }, handler)
          : http.createServer(handler),
    });
    cleanups.push(() => app.close());
    signal.throwIfAborted();
    const ws = attachWebSocketTransport({
      server: app.server,
      allowedOrigins: config.allowedOrigins,
      trustProxy: trustedProxies(config.trustProxy),
      maxPacketBytes: config.maxPacketBytes,
      logger,
      // What a turn recorded is committed before any PUBACK of that turn goes out.
      beforeSend: history.flush,
      onConnection: (stream, request) => broker.handle(stream, request),
    });
    cleanups.push(() => ws.close());
    // Not before: a device of a user created again would resume the old user's session.
    await externalChanges.ready;
    signal.throwIfAborted();
    await app.listen({ port: config.port, host: config.host });
    signal.throwIfAborted();
    if (config.trustProxy.length > 0) {
      logger.info(
        { event: 'trusting_proxies', trustProxy: config.trustProxy },
        'X-Forwarded-For, -Proto and -Host name the client of requests and WebSocket upgrades from these proxies (TRUST_PROXY)',
      );
    }

    const tcp = await listenTcp({
      host: config.host,
      port: config.mqttPort,
      tls,
      beforeSend: history.flush,
      onConnection: (stream) => broker.handle(stream),
    });
    // Stop accepting; the broker's close then ends the connections themselves.
    cleanups.push(() => void tcp.close());
    signal.throwIfAborted();
    listening = true;

    let sweeping: Promise<void> = Promise.resolve();
    const prune = () => {
      const now = Date.now();
      storage.history.prune(now - config.historyRetentionDays * MS_PER_DAY);
      storage.notifications.prune(now - config.historyRetentionDays * MS_PER_DAY);
      // Besides the last MAX_LOGGED_COMMANDS_PER_AGENT each, trimmed as one is written.
      storage.agentCommands.prune(now - config.historyRetentionDays * MS_PER_DAY);
      storage.tokens.prune(now);
      storage.issuedTokens.prune(now);
      storage.sessions.prune();
      const awaySince = now - config.sessionExpiryDays * MS_PER_DAY;
      sweeping = broker
        .expireSessions(awaySince, PRUNE_INTERVAL_MS)
        .then(
          (expired) => {
            if (expired.length > 0)
              logger.info(
                { event: 'sessions_expired', count: expired.length, first: expired.slice(0, 5) },
                'away sessions dropped',
              );
          },
          (error: unknown) =>
            logger.error({ event: 'session_expiry_failed', err: error }, 'sessions not expired'),
        )
        // After the sessions: the presences of those dropped are gone by then.
        .then(() => broker.clearStalePresence(storage.users.listOrgs(), awaySince))
        .then(
          (cleared) => {
            if (cleared.length > 0)
              logger.info(
                {
                  event: 'stale_presence_cleared',
                  count: cleared.length,
                  first: cleared.slice(0, 5),
                },
                'presences of clients long gone cleared',
              );
          },
          (error: unknown) =>
            logger.error(
              { event: 'stale_presence_failed', err: error },
              'presences of clients long gone not cleared',
            ),
        );
    };
    prune();
    const pruneTimer = setInterval(prune, PRUNE_INTERVAL_MS);
    pruneTimer.unref();
    // The sweep under way publishes and writes: the broker and the database wait for it.
    cleanups.push(async () => {
      clearInterval(pruneTimer);
      await sweeping;
    });

    const host = formatHost(config.host);
    const httpPort = (app.server.address() as AddressInfo).port;
    const mqttPort = (tcp.address() as AddressInfo).port;
    return {
      httpUrl: `${tls ? 'https' : 'http'}://${host}:${httpPort}`,
      wsUrl: `${tls ? 'wss' : 'ws'}://${host}:${httpPort}${MQTT_WEBSOCKET_PATH}`,
      mqttUrl: `${tls ? 'mqtts' : 'mqtt'}://${host}:${mqttPort}`,
      seed,
      tokens,
      broker,
      storage,
      http: app,
      close,
    };
  } catch (error) {
    starting.abort(error); // a start that failed waits for no more catching up either
    await close();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', giveUp);
  }
}

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
