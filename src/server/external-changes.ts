import type { Logger } from 'pino';
import type { Broker } from './broker/broker';
import { passwordStamp, type ClientIdentity } from './broker/client-identity';
import type { Storage } from './storage';

/** How often the database is asked whether another process (the CLI) has changed it. */
export const EXTERNAL_CHANGES_POLL_MS = 1_000;

/**
 * The CLI writes to the same database as a running server, and the broker checks users and
 * tokens only at CONNECT: a user the CLI disabled or removed, whose tokens it revoked or
 * whose password it changed, kept their open connections. Here, whenever a user or a token
 * has changed (by anyone: the admin console's own changes close their connections already,
 * so then this finds none), every live connection is checked again, and those no longer
 * allowed are closed. One small read a second when nothing changed; chat and checkpoints
 * do not count.
 */
export function closeConnectionsChangedElsewhere(
  storage: Storage,
  broker: Pick<Broker, 'disconnect'>,
  logger: Logger,
  intervalMs = EXTERNAL_CHANGES_POLL_MS,
): () => void {
  let seen = storage.accessVersion();
  const timer = setInterval(() => {
    const version = storage.accessVersion();
    if (version === seen) return;
    seen = version;
    const closed = broker.disconnect((identity) => !stillAllowed(storage, identity));
    if (closed > 0) {
      logger.info(
        { event: 'connections_closed_after_external_change', count: closed },
        'closed connections of users changed from outside the server',
      );
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

function stillAllowed(storage: Storage, identity: ClientIdentity): boolean {
  const user = storage.users.getUser(identity.org, identity.user);
  // Removed, disabled, or removed and created again under the same id since it connected.
  if (!user || user.disabled || user.createdAt > identity.connectedAt) return false;
  // Signed in with a password that is no longer the user's (`user passwd`).
  if (identity.passwordStamp !== null)
    return identity.passwordStamp === passwordStamp(user.passwordHash);
  return identity.jti === null || !storage.tokens.isRevoked(identity.jti);
}
