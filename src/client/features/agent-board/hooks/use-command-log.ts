import { useEffect, useMemo, useState } from 'react';
import { commandOutcome, nextDeadline, type CommandOutcome } from '../lib/command-outcome';
import { useAgentCommandsStore, type SentCommand } from '../stores/agent-commands-store';
import { useAgentsStore } from '../stores/agents-store';

export interface CommandLogEntry {
  command: SentCommand;
  outcome: CommandOutcome;
}

/**
 * This dashboard's commands to `agent`, newest first, each with its outcome as of `now`.
 * `now` ticks slowly (it drives "12 s ago"); a reply's wait running out between two ticks
 * re-judges the log at that moment, so "no reply" shows when it becomes true.
 */
export function useCommandLog(agent: string, now: number): CommandLogEntry[] {
  const commands = useAgentCommandsStore((s) => s.commands);
  const replies = useAgentCommandsStore((s) => s.replies);
  const agentStatus = useAgentsStore((s) => s.agents.get(agent)?.status);
  const [wokeAt, setWokeAt] = useState(0);
  const judgedAt = Math.max(now, wokeAt);

  const entries = useMemo(
    () =>
      Object.values(commands)
        .filter((command) => command.agent === agent)
        .sort((a, b) => b.sentAt - a.sentAt)
        .map((command) => ({
          command,
          outcome: commandOutcome({
            command,
            replies: replies[command.id],
            agentStatus,
            now: judgedAt,
          }),
        })),
    [commands, replies, agent, agentStatus, judgedAt],
  );

  const wakeAt = nextDeadline(entries.map((entry) => entry.outcome));
  useEffect(() => {
    if (wakeAt === undefined) return;
    // Judged at the deadline itself, so the wait counts as over even if the timer fires early.
    const timer = setTimeout(() => setWokeAt(wakeAt), wakeAt - Date.now());
    return () => clearTimeout(timer);
  }, [wakeAt]);

  return entries;
}
