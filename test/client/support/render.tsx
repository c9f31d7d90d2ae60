import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { LookupMessage } from '../../../src/client/app/confirm-chat-delivery';
import { createWorkspaceConnection } from '../../../src/client/app/create-workspace-connection';
import {
  accountOf,
  sessionQueryKey,
  type Session,
} from '../../../src/client/features/auth/api/get-session';
import { useAgentsStore } from '../../../src/client/features/agent-board/stores/agents-store';
import { useChatStore } from '../../../src/client/features/chat/stores/chat-store';
import { usePresenceStore } from '../../../src/client/features/presence/stores/presence-store';
import type { Connection } from '../../../src/client/lib/mqtt/connection';
import { ConnectionContext } from '../../../src/client/lib/mqtt/connection-context';
import type { NetworkStatus } from '../../../src/client/lib/mqtt/network-status';
import type { LastKnownKeys } from '../../../src/shared/last-known-api';
import { FakeMqttFactory, type FakeMqttClient } from './fake-mqtt';
import { ALICE, tokenFor } from './fixtures';

export function createTestQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
}

export const alwaysOnline: NetworkStatus = { isOnline: () => true, subscribe: () => () => {} };

export interface TestWorkspace {
  connection: Connection;
  factory: FakeMqttFactory;
  /** The current fake client (after connect). */
  client(): FakeMqttClient;
}

/**
 * The app's real wiring (router, stores, outbox, acks) on a fake MQTT client, already
 * connected. Coalesced updates apply synchronously so tests need no frames.
 */
/** The history lookup that finds what was sent: the message as this tab shows it. */
const serverHasIt: LookupMessage = async (room, id) => {
  const shown = useChatStore.getState().messageOf(room, id);
  return shown ? { id, from: shown.from, text: shown.text, sentAt: shown.sentAt } : null;
};

export async function connectTestWorkspace(
  options: {
    me?: string;
    org?: string;
    autoAck?: boolean;
    clientId?: string;
    random?: () => number;
    /** How far the server's clock (its tokens' issuedAt) runs ahead of this one. */
    serverClockAheadMs?: number;
    /** How long an acknowledged chat message may take to come back (default: the app's). */
    echoWaitMs?: number;
    /** The history lookup of an acked message; default: the server has it. */
    lookupMessage?: LookupMessage;
    /** GET /api/last-known after a reconnect; default: the server holds all the tab shows. */
    fetchLastKnown?: () => Promise<LastKnownKeys>;
  } = {},
): Promise<TestWorkspace> {
  const me = options.me ?? ALICE.user;
  const org = options.org ?? ALICE.org;
  const clientId = options.clientId ?? `${me}-test`;
  const factory = new FakeMqttFactory({ autoAck: options.autoAck ?? true });
  useChatStore.getState().setMe(me);
  const connection = createWorkspaceConnection({
    me,
    account: accountOf({ user: me, org }),
    getToken: async () => tokenFor(me, clientId, Date.now() + (options.serverClockAheadMs ?? 0)),
    createClient: factory.create,
    storage: sessionStorage,
    network: alwaysOnline,
    schedule: (callback) => callback(),
    random: options.random,
    echoWaitMs: options.echoWaitMs,
    lookupMessage: options.lookupMessage ?? serverHasIt,
    fetchLastKnown: options.fetchLastKnown ?? (async () => everythingShown()),
  });
  connection.start();
  await vitestWaitForClient(factory);
  factory.last.acceptConnect();
  return { connection, factory, client: () => factory.last };
}

function everythingShown(): LastKnownKeys {
  const presence = Object.entries(usePresenceStore.getState().clients).flatMap(([user, clients]) =>
    Object.keys(clients).map((clientId) => `${user}/${clientId}`),
  );
  return { agents: [...useAgentsStore.getState().agents.keys()], presence };
}

async function vitestWaitForClient(factory: FakeMqttFactory): Promise<void> {
  // getToken resolves on a microtask; the client is created right after.
  for (let i = 0; i < 10 && factory.clients.length === 0; i++) await Promise.resolve();
  if (factory.clients.length === 0) throw new Error('the connection never created a client');
}

export function renderWithWorkspace(
  ui: ReactElement,
  {
    connection,
    session = ALICE,
    queryClient = createTestQueryClient(),
  }: { connection: Connection; session?: Session; queryClient?: QueryClient },
): RenderResult & { queryClient: QueryClient } {
  queryClient.setQueryData(sessionQueryKey, session);
  // As a wrapper, so that rerender() keeps the providers.
  const result = render(ui, {
    wrapper: ({ children }) => (
      <QueryClientProvider client={queryClient}>
        <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>
      </QueryClientProvider>
    ),
  });
  return { ...result, queryClient };
}
