import { queryOptions, useQuery, type QueryKey } from '@tanstack/react-query';
import {
  loggedCommandSchema,
  type AgentCommandLog,
  type LoggedCommand,
} from '../../../../shared/agent-commands-api';
import { isValidId } from '../../../../shared/ids';
import { isRetryable } from '../../../lib/api/api-error';
import { apiFetch } from '../../../lib/api/api-fetch';
import { useConnectionStore } from '../../connection/stores/connection-store';

/** The newest commands are what a person checks; older ones are not listed. */
export const COMMAND_LOG_PAGE_SIZE = 50;

// Others' commands reach no dashboard live (only the agent may read its inbox), so an open
// log is asked again this often: another dashboard's command shows within seconds, not
// when the agent answers it. One small request per open agent page, only while the page
// is visible; an answer like the last changes nothing (react-query keeps the same data).
export const COMMAND_LOG_REFRESH_MS = 15_000;

export const agentCommandsQueryKey = (agent: string) => ['agents', agent, 'commands'] as const;

/** Whether `queryKey` is an agent's command log (any agent's). */
export const isAgentCommandsQueryKey = (queryKey: QueryKey): boolean =>
  queryKey[0] === 'agents' && queryKey[2] === 'commands';

/** The agent's recent commands, newest first, each with its replies (server times). */
export async function fetchAgentCommands(
  agent: string,
  signal?: AbortSignal,
): Promise<LoggedCommand[]> {
  const log = await apiFetch<AgentCommandLog>(
    `/api/agents/${encodeURIComponent(agent)}/commands?limit=${COMMAND_LOG_PAGE_SIZE}`,
    { signal },
  );
  const commands: unknown[] = Array.isArray(log?.commands) ? log.commands : [];
  // What agents and dashboards sent gets the same schema checks as live: a bad entry is
  // counted and dropped, never shown raw.
  return commands.flatMap((item) => {
    const parsed = loggedCommandSchema.safeParse(item);
    if (parsed.success) return [parsed.data];
    useConnectionStore.getState().countDropped();
    return [];
  });
}

export const agentCommandsQueryOptions = (agent: string) =>
  queryOptions({
    queryKey: agentCommandsQueryKey(agent),
    queryFn: ({ signal }) => fetchAgentCommands(agent, signal),
    // No id an agent could have has a log to ask for (its inbox is no topic either).
    enabled: isValidId(agent),
    // Replies come live, but others' commands do not (nobody but the agent reads its
    // inbox): asked again each time the agent is opened, every COMMAND_LOG_REFRESH_MS while
    // it is open, after each reconnect (app/use-workspace-lifecycle.ts), and when a reply to
    // a command not listed comes.
    staleTime: 0,
    // Not while the page is hidden (the interval skips its turns then). Nor after a refusal
    // that asking again will not change (403: the user may not read the agent's replies).
    refetchInterval: (query) =>
      query.state.status === 'error' && !isRetryable(query.state.error)
        ? false
        : COMMAND_LOG_REFRESH_MS,
    refetchIntervalInBackground: false,
  });

export const useAgentCommands = (agent: string) => useQuery(agentCommandsQueryOptions(agent));
