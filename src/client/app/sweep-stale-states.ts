import type { LastKnownKeys } from '../../shared/last-known-api';
import { useAgentsStore, type AgentStateChange } from '../features/agent-board/stores/agents-store';
import { usePresenceStore, type PresenceChange } from '../features/presence/stores/presence-store';

export interface StaleStateSweeper {
  /** The connection has its subscriptions (every CONNACK, token renewals too). */
  connected(): void;
  /** Signed out, session ended or page going: a sweep waiting for the server does nothing. */
  cancel(): void;
}

/**
 * Drops the agents and connections whose last-known state was cleared while this tab was
 * not connected. Agent states and presence are retained messages the broker resends on
 * every SUBSCRIBE, but a clear (an agent removed, a retained message cleared by an admin)
 * is not queued for anyone: a tab that was away when it happened would show the old state
 * until reloaded.
 *
 * So after every connection but the first, what the stores hold is noted, the server is
 * asked whose state it holds now (GET /api/last-known), and what it no longer has is
 * dropped, unless a message changed it meanwhile: that message is newer than the answer
 * or, if the state was cleared after it, its clear arrives live as well. If the server
 * cannot answer, what is shown stays as it is.
 */
export function createStaleStateSweeper(
  fetchKeys: (signal: AbortSignal) => Promise<LastKnownKeys>,
): StaleStateSweeper {
  let connectedBefore = false;
  let current: AbortController | null = null;
  return {
    connected() {
      if (!connectedBefore) {
        connectedBefore = true; // the stores started empty: nothing to sweep
        return;
      }
      current?.abort();
      const controller = new AbortController();
      current = controller;
      sweep(fetchKeys, controller.signal).catch((error: unknown) => {
        if (import.meta.env.DEV && !controller.signal.aborted)
          console.warn('[switchboard] could not check for cleared states', error);
      });
    },
    cancel() {
      current?.abort();
      current = null;
    },
  };
}

async function sweep(
  fetchKeys: (signal: AbortSignal) => Promise<LastKnownKeys>,
  signal: AbortSignal,
): Promise<void> {
  // Entries are replaced, never changed in place: the same object means no message since.
  const agentsBefore = new Map(useAgentsStore.getState().agents);
  const presenceBefore = usePresenceStore.getState().clients;
  const keys = await fetchKeys(signal);
  if (signal.aborted) return;

  const agentsKnown = new Set(keys.agents);
  const goneAgents: AgentStateChange[] = [];
  for (const [agent, state] of useAgentsStore.getState().agents) {
    if (!agentsKnown.has(agent) && agentsBefore.get(agent) === state)
      goneAgents.push({ agent, value: null });
  }
  if (goneAgents.length > 0) useAgentsStore.getState().apply(goneAgents);

  const presenceKnown = new Set(keys.presence);
  const gonePresence: PresenceChange[] = [];
  for (const [user, clients] of Object.entries(usePresenceStore.getState().clients)) {
    for (const [clientId, presence] of Object.entries(clients)) {
      if (
        !presenceKnown.has(`${user}/${clientId}`) &&
        presenceBefore[user]?.[clientId] === presence
      )
        gonePresence.push({ user, clientId, value: null });
    }
  }
  if (gonePresence.length > 0) usePresenceStore.getState().apply(gonePresence);
}
