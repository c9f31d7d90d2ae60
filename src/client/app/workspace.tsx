import { useEffect, useState } from 'react';
import { accountOf, type Session } from '../features/auth/api/get-session';
import {
  forgetOtherAccountsDrafts,
  sessionStorageOrNull,
} from '../features/chat/lib/draft-storage';
import { useChatStore } from '../features/chat/stores/chat-store';
import { useGetToken } from '../features/connection/api/create-token';
import { useNotificationsStore } from '../features/notifications/stores/notifications-store';
import type { ClientIdEnvironment } from '../lib/mqtt/client-id';
import type { ClientFactory } from '../lib/mqtt/client-types';
import type { Connection } from '../lib/mqtt/connection';
import { ConnectionContext } from '../lib/mqtt/connection-context';
import { createMqttClient } from '../lib/mqtt/mqtt-client-factory';
import type { NetworkStatus } from '../lib/mqtt/network-status';
import { createWorkspaceConnection } from './create-workspace-connection';
import { Shell } from './shell';
import { Splash } from './splash';
import { useClaimedClientId } from './use-claimed-client-id';
import { useViewInLocation } from './view-location';
import { useRefetchChangedElsewhere } from './use-refetch-changed-elsewhere';
import {
  useForgetWhenSignedOutElsewhere,
  useLeaveWhenSessionChanges,
  useRefetchHistoryOnConnect,
  useReturnToSignInOnAuthError,
} from './use-workspace-lifecycle';
import { useSyncInbox } from '../features/notifications/hooks/use-sync-inbox';

export interface WorkspaceProps {
  session: Session;
  /** Tests pass a fake; the app uses mqtt.js. */
  createClient?: ClientFactory;
  network?: NetworkStatus;
  clientIdEnvironment?: ClientIdEnvironment;
}

// Loaded with React.lazy after sign-in: this module pulls in mqtt.js, zod and every feature.
export default function Workspace({
  session,
  createClient = createMqttClient,
  network,
  clientIdEnvironment,
}: WorkspaceProps) {
  const clientId = useClaimedClientId(session.user, clientIdEnvironment);
  if (!clientId) return <Splash label="Opening your workspace…" />;
  return (
    <ConnectedWorkspace
      session={session}
      clientId={clientId}
      createClient={createClient}
      network={network}
    />
  );
}

interface ConnectedWorkspaceProps {
  session: Session;
  clientId: string;
  createClient: ClientFactory;
  network: NetworkStatus | undefined;
}

function ConnectedWorkspace({ session, clientId, createClient, network }: ConnectedWorkspaceProps) {
  const getToken = useGetToken(clientId);
  const [connection, setConnection] = useState<Connection | null>(null);
  const me = session.user;
  const account = accountOf(session);

  useEffect(() => {
    // Another person's, kept in this tab for them to come back to (leaveWorkspace): the
    // tab is this person's now, and text someone else wrote and did not send is not kept.
    forgetOtherAccountsDrafts(sessionStorageOrNull(), account);
    useChatStore.getState().setMe(me);
    useNotificationsStore.getState().load(account);
    const created = createWorkspaceConnection({
      me,
      account,
      getToken,
      createClient,
      network,
    });
    setConnection(created);
    created.start();
    return () => created.dispose();
  }, [me, account, getToken, createClient, network]);

  // Runs before the shell's first render (it waits for the connection): a reload or a link
  // opens its view at once, with no detour through Welcome.
  useViewInLocation(account, session.role === 'admin');
  useReturnToSignInOnAuthError();
  useLeaveWhenSessionChanges(account, connection);
  useForgetWhenSignedOutElsewhere();
  useRefetchHistoryOnConnect();
  useRefetchChangedElsewhere();
  useSyncInbox();

  if (!connection) return <Splash label="Opening your workspace…" />;
  return (
    <ConnectionContext.Provider value={connection}>
      <Shell session={session} />
    </ConnectionContext.Provider>
  );
}
