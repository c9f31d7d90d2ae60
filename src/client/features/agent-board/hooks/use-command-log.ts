import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useConnection } from '../../../lib/mqtt/connection-context';
import { useCurrentUser } from '../../auth/hooks/use-current-user';
import { agentCommandsQueryKey, useAgentCommands } from '../api/get-agent-commands';
import { mergeCommandLog, type CommandLogEntry, type UnmatchedReply } from '../lib/command-log';
import { nextDeadline } from '../lib/command-outcome';
import { useAgentCommandsStore } from '../stores/agent-commands-store';
import { useAgentsStore } from '../stores/agents-store';

export interface CommandLog {
  /** Newest first. */
  entries: CommandLogEntry[];
  /** Replies heard live to commands the log does not hold. */
  unmatched: UnmatchedReply[];
  /**
   * The server's log: still coming, there, not to be had (`error`: none came), or there but
   * its last refresh failed (`stale`: what came before is shown, and may be out of date).
   */
  status: 'loading' | 'loaded' | 'error' | 'stale';
  /**
   * The log's first fetch since the page opened is under way: `loading`, or a log cached
   * from an earlier visit shown while it is asked again (what the answer brings is old news).
   */
  arriving: boolean;
  error: Error | null;
}

/**
 * The agent's command log: the commands the server logged (every dashboard's, from before
 * this page too), with this tab's still on their way, and the replies heard live since;
 * each with its outcome as of `now`. `now` ticks slowly (it drives "12 s ago"); a wait for
 * a reply, or for an accepted command's result, running out between two ticks re-judges the
 * log at that moment, so "no reply" (or "no result") shows when it becomes true.
 */
export function useCommandLog(agent: string, now: number): CommandLog {
  const me = useCurrentUser();
  const connection = useConnection();
  const queryClient = useQueryClient();
  const query = useAgentCommands(agent);
  const sent = useAgentCommandsStore((s) => s.commands);
  const heard = useAgentCommandsStore((s) => s.replies);
  const agentStatus = useAgentsStore((s) => s.agents.get(agent)?.status);
  const agentWentOfflineAt = useAgentsStore((s) => s.wentOfflineAt.get(agent));
  const [wokeAt, setWokeAt] = useState(0);
  const judgedAt = Math.max(now, wokeAt);
  const serverAheadMs = connection.serverNow() - Date.now();

  const { entries, unmatched } = useMemo(
    () =>
      mergeCommandLog({
        agent,
        me,
        logged: query.data,
        serverAheadMs,
        sent,
        heard,
        agentStatus,
        agentWentOfflineAt,
        now: judgedAt,
      }),
    [agent, me, query.data, serverAheadMs, sent, heard, agentStatus, agentWentOfflineAt, judgedAt],
  );

  const wakeAt = nextDeadline(entries.map((entry) => entry.outcome));
  useEffect(() => {
    if (wakeAt === undefined) return;
    // Judged at the deadline itself, so the wait counts as over even if the timer fires early.
    const timer = setTimeout(() => setWokeAt(wakeAt), wakeAt - Date.now());
    return () => clearTimeout(timer);
  }, [wakeAt]);

  // A reply to a command the log lacks: another dashboard sent it since the log came. The
  // log is asked again, once per such command (one the server does not hold stays unmatched).
  const askedAbout = useRef(new Set<string>());
  const unmatchedIds = unmatched.map((reply) => reply.commandId).join(' ');
  const settled = query.isSuccess && !query.isFetching;
  useEffect(() => {
    if (!settled || unmatchedIds === '') return;
    const fresh = unmatchedIds.split(' ').filter((id) => !askedAbout.current.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) askedAbout.current.add(id);
    void queryClient.invalidateQueries({ queryKey: agentCommandsQueryKey(agent), exact: true });
  }, [settled, unmatchedIds, agent, queryClient]);

  return {
    entries,
    unmatched,
    status: query.isLoadingError
      ? 'error'
      : query.isRefetchError
        ? 'stale'
        : query.isPending && query.isEnabled
          ? 'loading'
          : 'loaded',
    // Until the first answer (or failure) since mount, whether or not the fetch is paused
    // for a network that is gone.
    arriving: query.isEnabled && !query.isFetchedAfterMount,
    error: query.error,
  };
}
