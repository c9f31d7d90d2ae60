import { mountClientId, parseMountedClientId } from './mount-point';

/** A session noted as seen: its (mounted) client id and when (ms since the epoch). */
export interface SeenSession {
  clientId: string;
  seenAt: number;
}

/**
 * The `last-seen:` keys (stored-sessions.ts) per user, in memory: the cap on people's
 * sessions (session-cap.ts) asks for a user's at each of their persistent CONNECTs, where a
 * LevelDB range read was one more disk read before the CONNACK. Loaded from the disk at the
 * broker's start and changed with every write of those keys (persistence.ts), so it holds
 * what the disk holds, across restarts too. One entry per noted session: people's only, at
 * most MAX_APP_SESSIONS_PER_USER each beyond those the next sweep forgets.
 */
export class SeenIndex {
  private readonly byUser = new Map<string, Map<string, number>>();

  /** The user's sessions noted as seen, in no order. */
  of(org: string, user: string): SeenSession[] {
    const sessions = this.byUser.get(mountClientId(org, user, ''));
    if (!sessions) return [];
    return [...sessions].map(([clientId, seenAt]) => ({ clientId, seenAt }));
  }

  note(mountedId: string, seenAt: number): void {
    const key = userKey(mountedId);
    if (key === null) return; // no user's: no user's range read found it either
    let sessions = this.byUser.get(key);
    if (!sessions) this.byUser.set(key, (sessions = new Map()));
    sessions.set(mountedId, seenAt);
  }

  forget(mountedId: string): void {
    const key = userKey(mountedId);
    if (key === null) return;
    const sessions = this.byUser.get(key);
    if (!sessions) return;
    sessions.delete(mountedId);
    if (sessions.size === 0) this.byUser.delete(key);
  }
}

function userKey(mountedId: string): string | null {
  const session = parseMountedClientId(mountedId);
  return session && mountClientId(session.org, session.user, '');
}
