import type { AuthenticateError, Client, ConnectPacket, PublishPacket } from 'aedes';
import { formatUsername, parseUsername, type Username } from '../../shared/ids';
import { setIdentity, type ClientIdentity, type Principal } from './client-identity';
import { checkPublish, type PublishContext } from './check-publish';
import { mountClientId, mountTopic } from './mount-point';
import type { AuthThrottle } from '../auth/auth-throttle';
import { looksLikeToken } from '../auth/tokens';
import { CONNACK, ConnectRefused, toAuthenticateError } from './refusal';

/** Resolves a CONNECT's credentials (and client id) to a principal, or throws ConnectRefused. */
export type VerifyCredentials = (
  who: Username,
  password: string,
  clientId: string,
) => Promise<Principal>;

export interface AuthenticateOptions {
  verifyCredentials: VerifyCredentials;
  throttle: AuthThrottle;
  addressOf(client: Client): string;
  /** Credentials and rules read; it may still wait (see `dropping`) before it is accepted. */
  onIdentified?(client: Client, identity: ClientIdentity): void;
  onAuthenticated(client: Client, identity: ClientIdentity): void;
  /**
   * Work the CONNECT waits for once identified, before its session is looked up (the cap
   * on the app's sessions per user, session-cap.ts). Must not reject.
   */
  beforeAccept?(client: Client, identity: ClientIdentity): Promise<void>;
  /**
   * A promise while the session of this (mounted) client id is being dropped: the CONNECT
   * waits for it, so aedes then finds no session rather than half of one.
   */
  dropping?(mountedId: string): Promise<void> | undefined;
  onRefused(client: Client, error: ConnectRefused): void;
  /** What a Last Will's check reads (check-chat.ts). */
  publishContext: PublishContext;
}

// Beyond 3.1's 23; ours are `<user>-<random>`. aedes applies its own limit to MQTT 3.1
// only; this applies it to every version (ids end up in storage keys and admin lists).
export const MAX_CLIENT_ID_LENGTH = 128;

// aedes keeps the CONNECT's will here until the session is stored.
type ClientWithWill = Client & { _will: PublishPacket | null | undefined };

const withoutClientId = new WeakSet<Client>();

/** Whose failures a password CONNECT counts as: one bucket for every malformed username. */
function claimedUsername(username: string | undefined): string {
  const who = parseUsername(username ?? '');
  return who ? formatUsername(who.user, who.org) : '';
}

/** Notes which clients sent an empty client id, before aedes replaces it with its own. */
export function preConnect(
  client: Client,
  packet: ConnectPacket,
  callback: (error: Error | null, success: boolean) => void,
): void {
  if (!packet.clientId) withoutClientId.add(client);
  callback(null, true);
}

export function createAuthenticate(options: AuthenticateOptions) {
  return function authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const address = options.addressOf(client);
    const check = () => identify(client as ClientWithWill, username, password);
    // Decided as verifyCredentials decides: a token-shaped password is never hashed.
    const checked = looksLikeToken(password?.toString('utf8') ?? '')
      ? options.throttle.checkToken(address, check)
      : options.throttle.attempt({ address, username: claimedUsername(username) }, check, {
          blocked: (scope) =>
            new ConnectRefused(
              'rate_limited',
              scope === 'username'
                ? 'too many failed attempts for this user from this address; try again later'
                : 'too many failed attempts from this address; try again later',
              CONNACK.serverUnavailable,
            ),
          failed: (error) =>
            error instanceof ConnectRefused && error.returnCode === CONNACK.badUsernameOrPassword,
        });
    checked.then(
      async (identity) => {
        options.onIdentified?.(client, identity);
        await options.beforeAccept?.(client, identity);
        for (let wait = options.dropping?.(client.id); wait; wait = options.dropping?.(client.id))
          await wait.catch(() => undefined);
        // Gone while it waited for its turn or its check: aedes will not register it, so
        // nothing would ever undo onAuthenticated (its token's expiry timer, say).
        if ((client as { closed?: boolean }).closed) return done(null, false);
        options.onAuthenticated(client, identity);
        done(null, true);
      },
      (error: unknown) => {
        const refusal =
          error instanceof ConnectRefused
            ? error
            : new ConnectRefused(
                'server_error',
                'authentication failed',
                CONNACK.serverUnavailable,
              );
        options.onRefused(client, refusal);
        done(toAuthenticateError(refusal), false);
      },
    );
  };

  async function identify(
    client: ClientWithWill,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<ClientIdentity> {
    const who = parseUsername(username ?? '');
    if (!who) {
      throw new ConnectRefused(
        'invalid_username',
        'username must be <user>@<org>',
        CONNACK.badUsernameOrPassword,
      );
    }
    if (!password || password.length === 0) {
      throw new ConnectRefused(
        'missing_password',
        'a password or token is required',
        CONNACK.badUsernameOrPassword,
      );
    }
    if (client.id.length > MAX_CLIENT_ID_LENGTH) {
      throw new ConnectRefused(
        'client_id_too_long',
        `a client id has at most ${MAX_CLIENT_ID_LENGTH} characters`,
        CONNACK.identifierRejected,
      );
    }
    // aedes invents an id for an empty one; a persistent session needs the client's own.
    if (withoutClientId.has(client) && !client.clean) {
      // [MQTT-3.1.3-8]
      throw new ConnectRefused(
        'client_id_required',
        'a persistent session needs a client id',
        CONNACK.identifierRejected,
      );
    }
    const principal = await options.verifyCredentials(who, password.toString('utf8'), client.id);
    const identity: ClientIdentity = {
      ...principal,
      clientId: client.id,
      connectedAt: Date.now(),
      checksDeliveries: false,
      closing: false,
    };
    const will = client._will;
    if (will) {
      // [MQTT-3.1.2-14] mqtt-packet passes a will QoS of 3 on; every QoS 1 subscriber the
      // will reached would then be dropped, unable to be written such a packet.
      if (!(will.qos === 0 || will.qos === 1 || will.qos === 2)) {
        throw new ConnectRefused(
          'will_qos_invalid',
          'Last Will refused: its QoS must be 0, 1 or 2',
          CONNACK.notAuthorized,
        );
      }
      const verdict = checkPublish(identity, will.topic, will.payload as Buffer, will.retain, {
        ...options.publishContext,
        checksTimes: false, // stamped again when it fires (restamp-will.ts)
      });
      if (!verdict.ok) {
        throw new ConnectRefused(
          `will_${verdict.code}`,
          `Last Will refused: ${verdict.reason}`,
          // The store failed, not the client: 3 tells it to try again.
          verdict.code === 'room_check_failed' ? CONNACK.serverUnavailable : CONNACK.notAuthorized,
        );
      }
      will.topic = mountTopic(identity.org, will.topic);
    }
    (client as { id: string }).id = mountClientId(identity.org, identity.user, client.id);
    setIdentity(client, identity);
    return identity;
  }
}
