import { parseUsername } from '../../../shared/ids';
import { presenceTopic } from '../../../shared/topics';
import type { Presence } from '../../../shared/schemas';
import { isUnauthorized } from '../api/api-error';
import { reconnectDelayMs } from './backoff';
import { announceOffline } from './announce-offline';
import { endGracefully, publishRetainedWithin } from './bounded-steps';
import type {
  BrokerToken,
  ClientFactory,
  ClientOptions,
  MqttClientLike,
  Subscription,
} from './client-types';
import type { ConnectionState } from './connection-state';
import { browserNetworkStatus, type NetworkStatus } from './network-status';
import { Outbox, type OutboxEntry } from './outbox';
import { isPublishRefused, type PublishRefusal } from './publish-refusal';
import { unsendableReason } from './unsendable-publish';

// Renew with a fifth of the token's lifetime left: enough to survive one slow /api/token.
export const TOKEN_RENEW_AT_FRACTION = 0.8;
export const MIN_RENEW_DELAY_MS = 500; // a token already near expiry must not spin
export const RENEW_RETRY_DELAY_MS = 5_000; // /api/token failed during a renewal
export const GRACEFUL_END_TIMEOUT_MS = 3_000; // a dead socket never completes DISCONNECT
export const SIGN_OUT_PUBLISH_TIMEOUT_MS = 2_000; // do not hold sign-out hostage to a slow PUBACK
export const KEEPALIVE_SECONDS = 30;
export const CONNECT_TIMEOUT_MS = 10_000;
// The network is back and the socket from before it went is still open: a PINGRESP within
// this says it survived; a socket that died unseen never answers, and is replaced.
export const LIVENESS_TIMEOUT_MS = 3_000;

// CONNACK return codes that mean "these credentials are not accepted" [MQTT-3.2.2.3].
const REFUSED_BAD_CREDENTIALS = 4;
const REFUSED_NOT_AUTHORIZED = 5;

export interface ConnectionOptions {
  getToken(): Promise<BrokerToken>;
  createClient: ClientFactory;
  subscriptions: readonly Subscription[];
  onMessage(topic: string, payload: Uint8Array): void;
  onStateChange?(state: ConnectionState): void;
  /** The connection stopped for good (sign-out, session ended, page teardown). */
  onStop?(): void;
  outbox?: Outbox;
  network?: NetworkStatus;
  resolveUrl?(url: string): string;
  random?(): number;
  now?(): number;
}

interface HeldToken extends BrokerToken {
  receivedAt: number;
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * Owns the one MQTT client of the tab: tokens, reconnects with backoff, token renewal
 * without losing the persistent session, presence and the outbox. The React tree only
 * starts and stops it (DESIGN.md: the connection lives in a plain module).
 *
 * Every client gets a generation number; events from a client that has been replaced
 * are ignored, and a replaced client is always ended, so two clients of this tab never
 * fight over the same client id.
 */
export class Connection {
  readonly outbox: Outbox;
  private readonly options: ConnectionOptions;
  private readonly network: NetworkStatus;
  private readonly random: () => number;
  private readonly now: () => number;
  private state: ConnectionState = { status: 'signed-out' };
  private running = false;
  private client: MqttClientLike | null = null;
  private generation = 0;
  private live = false; // the current client has its CONNACK and subscriptions requested
  private subscribed = false; // ... and its SUBACK (meaningful only while live)
  private token: HeldToken | null = null;
  private clockOffset = 0; // the server's clock minus ours, from the last token (serverNow)
  private presence: string | null = null;
  // The renewal said DISCONNECT on the old client, which discards its offline Last Will,
  // and no new client has connected since: our retained presence says online with nothing
  // left to correct it if we stop here.
  private onlineWithoutWill = false;
  private oldClientEnding: Promise<void> = Promise.resolve();
  private attempt = 0;
  private authRetried = false;
  private retryTimer: Timer | undefined;
  private renewTimer: Timer | undefined;
  private livenessTimer: Timer | undefined;
  private readonly inFlight = new Set<string>(); // outbox ids written on the current client
  private readonly ackListeners = new Set<(id: string) => void>();
  private readonly refusalListeners = new Set<(id: string, refusal: PublishRefusal) => void>();
  private unsubscribeNetwork: (() => void) | null = null;

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.outbox = options.outbox ?? new Outbox(null);
    this.network = options.network ?? browserNetworkStatus;
    this.random = options.random ?? (() => Math.random());
    this.now = options.now ?? (() => Date.now());
  }

  getState(): ConnectionState {
    return this.state;
  }

  /**
   * Now by the server's clock, as well as the last token tells it (its `issuedAt` against
   * the middle of its request here, so within half that request's round trip); this
   * device's clock until a token came. Messages are ordered by the time their sender stamps on them: stamped by
   * a clock minutes off, they would sort minutes away from the conversation they belong to.
   */
  serverNow(): number {
    return this.now() + this.clockOffset;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.authRetried = false;
    this.unsubscribeNetwork = this.network.subscribe((online) => this.handleNetwork(online));
    if (!this.network.isOnline()) {
      this.setState({ status: 'offline' });
      return;
    }
    this.setState({ status: 'connecting' });
    void this.open();
  }

  /**
   * QoS 1, kept in the outbox until the broker's PUBACK (then ack listeners hear `id`), or
   * until an MQTT 5 broker's PUBACK refuses it or it turns out it cannot be sent at all
   * (then refusal listeners do). Works while disconnected: the message goes out on the
   * next connect. `confirm`: kept as unconfirmed after the PUBACK, across reloads, until
   * `outbox.confirmed(id)`, and as refused once refused, until `outbox.discard(id)`.
   */
  publishReliable(
    topic: string,
    payload: string,
    options: { id?: string; retain?: boolean; confirm?: boolean } = {},
  ): string {
    const entry: OutboxEntry = {
      id: options.id ?? crypto.randomUUID(),
      topic,
      payload,
      qos: 1,
      retain: options.retain ?? false,
      ...(options.confirm ? { confirm: true } : {}),
    };
    this.outbox.add(entry);
    if (this.live && this.client) this.write(this.client, entry);
    else this.refuseIfUnsendable(entry); // said now, not at the next connect
    return entry.id;
  }

  /** QoS 0 and only while connected: for signals that are worthless late (typing). */
  publishVolatile(topic: string, payload: string): boolean {
    if (!this.live || !this.client) return false;
    this.client.publish(topic, payload, { qos: 0, retain: false }, noop);
    return true;
  }

  /** Hear the PUBACK of each outbox entry once. Returns the unsubscribe function. */
  onAck(listener: (id: string) => void): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  /**
   * Hear each outbox entry refused for good, once: by an MQTT 5 broker (PUBACK reason code
   * >= 0x80), or here, as one that cannot be sent at all. It has left the outbox, since
   * sending it again would be refused again. Returns the unsubscribe function.
   */
  onPublishRefused(listener: (id: string, refusal: PublishRefusal) => void): () => void {
    this.refusalListeners.add(listener);
    return () => this.refusalListeners.delete(listener);
  }

  /** Marks this connection offline for others, then disconnects cleanly. */
  async signOut(): Promise<void> {
    const client = this.client;
    const wasLive = this.live;
    const owesOffline = this.onlineWithoutWill;
    this.stop();
    if (client && wasLive && this.presence) {
      await publishRetainedWithin(
        client,
        this.presence,
        this.offlinePresence(),
        SIGN_OUT_PUBLISH_TIMEOUT_MS,
      );
    }
    // A client still waiting for its CONNACK is closed outright: mqtt.js' graceful end
    // reports it ended at once but only queues the DISCONNECT, and leaves the socket open
    // to be accepted afterwards, a connection outliving the sign-out by a keepalive.
    if (client && wasLive) await endGracefully(client, GRACEFUL_END_TIMEOUT_MS);
    else client?.end(true, noop);
    if (owesOffline) await this.announceOffline();
    this.outbox.clear(); // the next person in this tab must not send our messages
    this.setState({ status: 'signed-out' });
  }

  /** Stops without a goodbye (page teardown): the broker publishes our Last Will. */
  dispose(): void {
    const client = this.client;
    this.stop();
    client?.end(true, noop);
  }

  private stop(): void {
    const wasRunning = this.running;
    this.running = false;
    this.generation += 1;
    this.live = false;
    this.client = null;
    this.clearTimers();
    this.unsubscribeNetwork?.();
    this.unsubscribeNetwork = null;
    if (wasRunning) this.options.onStop?.();
  }

  private async open(): Promise<void> {
    this.dropClient();
    const generation = ++this.generation;
    // A renewal's old client may still be saying DISCONNECT (an `online` can come then): a
    // CONNECT with its client id first would take it over [MQTT-3.1.4-2], and fire its will.
    await this.oldClientEnding;
    if (generation !== this.generation || !this.running) return;
    let token = this.token;
    if (!token || this.now() >= renewAt(token)) {
      try {
        token = await this.fetchToken();
      } catch (error) {
        if (generation !== this.generation || !this.running) return;
        if (isUnauthorized(error)) this.failAuth();
        else this.scheduleReconnect();
        return;
      }
      if (generation !== this.generation || !this.running) return;
    }
    this.connect(token, generation);
  }

  private connect(token: HeldToken, generation: number): void {
    const user = parseUsername(token.username)?.user;
    this.presence = user ? presenceTopic(user, token.clientId) : null;
    const client = this.options.createClient(this.clientOptions(token), {
      onConnect: () => {
        if (generation === this.generation) this.handleConnect(client);
      },
      onRefused: (code) => {
        if (generation === this.generation) this.handleRefused(client, code);
      },
      onClose: () => {
        if (generation === this.generation) this.handleClose();
      },
      onMessage: (topic, payload) => {
        // A client being ended gracefully may still deliver; duplicates are harmless
        // (stores deduplicate), a message after sign-out is not.
        if (this.running) this.options.onMessage(topic, payload);
      },
    });
    this.client = client;
  }

  private handleConnect(client: MqttClientLike): void {
    this.live = true;
    this.subscribed = false;
    this.onlineWithoutWill = false; // this client's will covers the presence again
    this.attempt = 0;
    this.authRetried = false;
    this.inFlight.clear();
    // Subscribing again to the same filters replaces them [MQTT-3.8.4-3], so this is
    // idempotent, and it makes the broker resend retained state we may have missed.
    // "connected" waits for the SUBACK: from then on nothing published is missed, which
    // is when history may be refetched to close a gap.
    const generation = this.generation;
    client.subscribe(this.options.subscriptions, (error, refused) => {
      if (error || refused.length > 0) {
        console.warn('[switchboard] subscriptions refused', error ?? refused);
      }
      if (generation !== this.generation || !this.live) return;
      this.subscribed = true;
      this.settleConnected();
    });
    if (this.presence) {
      const online: Presence = { status: 'online', since: this.now() };
      client.publish(this.presence, JSON.stringify(online), { qos: 1, retain: true }, noop);
    }
    for (const entry of this.outbox.list()) this.write(client, entry);
    this.scheduleRenewal();
  }

  private handleRefused(client: MqttClientLike, code: number): void {
    this.generation += 1; // the close that follows belongs to this refusal
    this.live = false;
    this.client = null;
    client.end(true, noop);
    const credentials = code === REFUSED_BAD_CREDENTIALS || code === REFUSED_NOT_AUTHORIZED;
    if (!credentials) {
      this.scheduleReconnect();
      return;
    }
    if (this.authRetried) {
      this.failAuth();
      return;
    }
    // The token may have expired or been revoked between fetch and CONNECT: one fresh try.
    this.authRetried = true;
    this.token = null;
    void this.open();
  }

  private handleClose(): void {
    this.stopLivenessCheck(); // the backoff reconnects now: a second opener would end its client
    this.live = false;
    this.client = null;
    clearTimeout(this.renewTimer);
    if (!this.running) return;
    if (!this.network.isOnline()) {
      this.setState({ status: 'offline' });
      return;
    }
    this.scheduleReconnect();
  }

  private handleNetwork(online: boolean): void {
    if (!this.running) return;
    if (online) this.handleOnline();
    else this.handleOffline();
  }

  /**
   * Said at once, not a keepalive later. A live socket may well survive a network switch,
   * so it is kept (and checked when the network is back); publishes wait in the outbox as
   * ever. Anything short of live (a waiting retry, a token request, a CONNECT) is dropped:
   * it is pointless without a network, and `online` starts afresh.
   */
  private handleOffline(): void {
    this.stopLivenessCheck();
    if (!this.live) {
      clearTimeout(this.retryTimer);
      this.generation += 1; // what the abandoned attempt still reports is ignored
      this.dropClient();
    }
    this.setState({ status: 'offline' });
  }

  private handleOnline(): void {
    const status = this.state.status;
    if (status !== 'offline' && status !== 'reconnecting') return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.setState({ status: 'connecting' });
    if (this.live && this.client) this.checkLiveness(this.client);
    else void this.open();
  }

  /** PINGREQ on the socket kept through an offline spell: connected again, or replaced. */
  private checkLiveness(client: MqttClientLike): void {
    const generation = this.generation;
    this.livenessTimer = setTimeout(() => {
      this.livenessTimer = undefined;
      if (generation !== this.generation) return; // replaced, or stopped, meanwhile
      this.generation += 1; // its close, when it comes, is this decision's
      void this.open();
    }, LIVENESS_TIMEOUT_MS);
    client.ping(() => this.socketAnswered(generation));
  }

  /**
   * The socket under a liveness check answered: its PINGRESP, or a PUBACK. A PUBACK must
   * count: the broker reads a connection in order and paces a person's chat messages, so
   * a queue sent when the network came back holds the PINGREQ behind it for seconds (QA:
   * 200 queued offline, the check failed while they were being acknowledged, and the
   * socket was replaced, "Connecting…" meanwhile).
   */
  private socketAnswered(generation: number): void {
    if (generation !== this.generation || this.livenessTimer === undefined) return;
    this.stopLivenessCheck();
    this.settleConnected(); // or at the SUBACK, if that is still to come
  }

  private stopLivenessCheck(): void {
    clearTimeout(this.livenessTimer);
    this.livenessTimer = undefined;
  }

  /**
   * Connected: the broker has our subscriptions, and the browser has a network. While it
   * says it has none, the pill says offline even over a socket that still answers.
   */
  private settleConnected(): void {
    if (!this.live || !this.subscribed || !this.network.isOnline()) return;
    this.stopLivenessCheck(); // the broker answered: the socket is alive
    this.setState({ status: 'connected' }); // again after a renewal: listeners count on it
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retryTimer);
    this.attempt += 1;
    const delay = reconnectDelayMs(this.attempt, this.random);
    this.setState({
      status: 'reconnecting',
      attempt: this.attempt,
      nextRetryAt: this.now() + delay,
    });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.open();
    }, delay);
  }

  private scheduleRenewal(): void {
    clearTimeout(this.renewTimer);
    const token = this.token;
    if (!token) return;
    const delay = Math.max(MIN_RENEW_DELAY_MS, renewAt(token) - this.now());
    this.renewTimer = setTimeout(() => void this.renew(), delay);
  }

  /**
   * Fetch the next token while still connected, end the old client with DISCONNECT (the
   * broker then discards its Last Will, so presence does not flicker), and connect the
   * new one with the same client id: the broker resumes the persistent session and its
   * queued messages. Publishes made in between wait in the outbox.
   */
  private async renew(): Promise<void> {
    const generation = this.generation;
    let token: HeldToken;
    try {
      token = await this.fetchToken();
    } catch (error) {
      if (generation !== this.generation || !this.running) return;
      if (isUnauthorized(error)) {
        this.failAuth();
        return;
      }
      this.renewTimer = setTimeout(() => void this.renew(), RENEW_RETRY_DELAY_MS);
      return;
    }
    // A reconnect took over meanwhile; it will use the token we just stored.
    if (generation !== this.generation || !this.running || !this.live) return;
    const old = this.client;
    const next = ++this.generation;
    this.live = false;
    this.client = null;
    this.onlineWithoutWill = this.presence !== null;
    this.oldClientEnding = old ? endGracefully(old, GRACEFUL_END_TIMEOUT_MS) : Promise.resolve();
    await this.oldClientEnding;
    if (next !== this.generation || !this.running) return;
    this.connect(token, next);
  }

  private write(client: MqttClientLike, entry: OutboxEntry): void {
    if (this.inFlight.has(entry.id) || this.refuseIfUnsendable(entry)) return;
    const generation = this.generation;
    this.inFlight.add(entry.id);
    try {
      client.publish(
        entry.topic,
        entry.payload,
        { qos: entry.qos, retain: entry.retain },
        (error) => {
          if (generation === this.generation) this.inFlight.delete(entry.id);
          if (!error || isPublishRefused(error)) this.socketAnswered(generation);
          if (isPublishRefused(error)) {
            // Final: left in the outbox, it would be resent, and refused, on every connect.
            this.refuse(entry.id, { by: 'broker', reasonCode: error.reasonCode });
            return;
          }
          // Any other error is about the connection, never the message: mqtt.js calls a
          // publish back with one only when the connection closed or the client is being
          // ended first ("Connection closed", "client disconnecting"), or for calls and
          // stores this app does not use ("Message removed"; a failing outgoing store).
          // Still in the outbox: it goes out again on the next connect.
          if (error) return;
          // Acknowledgements that arrive while signing out are for nobody to show.
          if (this.outbox.acknowledge(entry.id) && this.running) {
            for (const listener of this.ackListeners) listener(entry.id);
          }
        },
      );
    } catch (error) {
      // mqtt.js threw instead of sending: it would throw again at every connect. What it
      // wrote of the packet before throwing may be on the socket, so start afresh.
      if (generation === this.generation) this.inFlight.delete(entry.id);
      this.refuse(entry.id, { by: 'client', reason: errorMessage(error) });
      client.end(true, noop);
    }
  }

  /** Refuses `entry` at once when it can never be sent; true if it did. */
  private refuseIfUnsendable(entry: OutboxEntry): boolean {
    const reason = unsendableReason(entry.topic);
    if (reason === null) return false;
    this.refuse(entry.id, { by: 'client', reason });
    return true;
  }

  /** Out of the outbox for good; listeners hear it unless this is signing out. */
  private refuse(id: string, refusal: PublishRefusal): void {
    if (this.outbox.refuse(id, refusal) && this.running) {
      for (const listener of this.refusalListeners) listener(id, refusal);
    }
  }

  private clientOptions(token: HeldToken): ClientOptions {
    return {
      url: this.options.resolveUrl ? this.options.resolveUrl(token.url) : token.url,
      clientId: token.clientId,
      username: token.username,
      password: token.password,
      protocolVersion: token.protocolVersion,
      clean: false,
      reconnectPeriod: 0,
      keepaliveSeconds: KEEPALIVE_SECONDS,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      will: this.presence
        ? { topic: this.presence, payload: this.offlinePresence(), qos: 1, retain: true }
        : undefined,
    };
  }

  /**
   * Sign-out came inside the renewal's swap: the old client has said DISCONNECT, so its
   * offline Last Will is gone, and the new one never announced itself. One more short
   * connection with the newest token (still valid: sign-out ends the HTTP session, and
   * revokes the sign-in's tokens, only after this) publishes offline, once the old client
   * is gone, so two clients of this id never overlap.
   */
  private async announceOffline(): Promise<void> {
    this.onlineWithoutWill = false;
    const token = this.token;
    const topic = this.presence;
    if (!token || !topic) return;
    await this.oldClientEnding;
    await announceOffline(
      this.options.createClient,
      this.clientOptions(token),
      topic,
      this.offlinePresence(),
    );
  }

  /** Our presence, offline as of now (said at sign-out, and the Last Will's). */
  private offlinePresence(): string {
    const offline: Presence = { status: 'offline', since: this.now() };
    return JSON.stringify(offline);
  }

  private async fetchToken(): Promise<HeldToken> {
    const requestedAt = this.now();
    const token = await this.options.getToken();
    const receivedAt = this.now();
    this.token = { ...token, receivedAt };
    // Minted about halfway through the request, as far as this side can tell.
    const offset = token.issuedAt - (requestedAt + receivedAt) / 2;
    if (Number.isFinite(offset)) this.clockOffset = Math.round(offset);
    return this.token;
  }

  private failAuth(): void {
    const client = this.client;
    this.stop();
    client?.end(true, noop);
    this.token = null;
    this.setState({ status: 'auth-error' });
  }

  private dropClient(): void {
    const client = this.client;
    this.client = null;
    this.live = false;
    client?.end(true, noop);
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.renewTimer);
    this.retryTimer = undefined;
    this.renewTimer = undefined;
    this.stopLivenessCheck();
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.options.onStateChange?.(state);
  }
}

/**
 * When to fetch the next token: a share of its lifetime after it arrived, the lifetime by
 * the server's clock (issuedAt → expiresAt) and the wait by ours, so a clock that is off
 * by minutes or hours neither renews in a loop nor lets the token expire first.
 */
function renewAt(token: HeldToken): number {
  return token.receivedAt + (token.expiresAt - token.issuedAt) * TOKEN_RENEW_AT_FRACTION;
}

function noop(): void {}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
