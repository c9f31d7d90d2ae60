import { useRef, useState } from 'react';
import { useClearSession } from '../../api/clear-session';
import { useDisconnectSession, type SessionRef } from '../../api/disconnect-session';
import { SESSIONS_REFRESH_MS, useSessions, type LiveSession } from '../../api/get-sessions';
import { useFocusAfterRemoval } from '../../hooks/use-focus-after-removal';
import { ErrorMessage } from '../error-message';
import { QueryStatus } from '../query-status';
import { LiveSessionsTable } from './live-sessions-table';
import { StoredSessionsTable } from './stored-sessions-table';

/**
 * One connection, not one client id: an app reconnects under the same client id, and that
 * new connection must show even though the old one was disconnected from here.
 */
export const connectionKey = (s: Pick<LiveSession, 'user' | 'clientId' | 'connectedAt'>) =>
  `${s.user}\u0000${s.clientId}\u0000${s.connectedAt}`;

export function SessionsView() {
  const sessions = useSessions();
  const disconnect = useDisconnectSession();
  const clear = useClearSession();
  // Hidden at once: a refetch racing the broker's close must not bring the row back.
  const [closed, setClosed] = useState<ReadonlySet<string>>(new Set());
  const [done, setDone] = useState<string | null>(null);
  // Each table keeps focus in itself: a gone row's control gives way to its neighbour's.
  const liveTitleRef = useRef<HTMLHeadingElement>(null);
  const keepFocusInLive = useFocusAfterRemoval(liveTitleRef);
  const storedTitleRef = useRef<HTMLHeadingElement>(null);
  const keepFocusInStored = useFocusAfterRemoval(storedTitleRef);

  const live = sessions.data?.live.filter((s) => !closed.has(connectionKey(s)));

  const onDisconnect = (session: LiveSession) => {
    setDone(null);
    disconnect.mutate(session, {
      onSuccess: () => {
        setClosed((keys) => new Set(keys).add(connectionKey(session)));
        setDone(`Disconnected ${session.clientId} (${session.user}).`);
      },
    });
  };

  const onClear = (session: SessionRef) => {
    setDone(null);
    clear.mutate(session, {
      onSuccess: () => setDone(`Cleared the stored session ${session.clientId} (${session.user}).`),
    });
  };

  return (
    <div className="admin-section">
      <div className="admin-section__header">
        <h3 className="admin-section__title">Sessions</h3>
        <span className="muted">Refreshes every {SESSIONS_REFRESH_MS / 1_000} s</span>
      </div>
      <p className="notice" role="status" hidden={done === null}>
        {done}
      </p>
      {disconnect.error && <ErrorMessage error={disconnect.error} action="Could not disconnect" />}
      {clear.error && <ErrorMessage error={clear.error} action="Could not clear the session" />}
      <QueryStatus query={sessions} loading="Loading sessions…" failed="Could not load sessions" />
      {live && sessions.data && (
        <>
          <section
            className="admin-section"
            aria-labelledby="live-sessions-title"
            ref={keepFocusInLive}
          >
            <h4
              id="live-sessions-title"
              className="admin-section__title"
              ref={liveTitleRef}
              tabIndex={-1}
            >
              Connected ({live.length})
            </h4>
            <LiveSessionsTable
              sessions={live}
              pending={disconnect.isPending ? disconnect.variables : undefined}
              onDisconnect={onDisconnect}
            />
          </section>
          <section
            className="admin-section"
            aria-labelledby="stored-sessions-title"
            ref={keepFocusInStored}
          >
            <h4
              id="stored-sessions-title"
              className="admin-section__title"
              ref={storedTitleRef}
              tabIndex={-1}
            >
              Away, with a stored session ({sessions.data.offline.length})
            </h4>
            <StoredSessionsTable
              sessions={sessions.data.offline}
              pending={clear.isPending ? clear.variables : undefined}
              onClear={onClear}
            />
          </section>
        </>
      )}
    </div>
  );
}
