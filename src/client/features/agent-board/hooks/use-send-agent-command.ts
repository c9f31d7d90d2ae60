import { useCallback } from 'react';
import type { AgentCommand } from '../../../../shared/schemas';
import { agentInboxTopic } from '../../../../shared/topics';
import { useConnection } from '../../../lib/mqtt/connection-context';
import { useCurrentUser } from '../../auth/hooks/use-current-user';
import { useAgentCommandsStore } from '../stores/agent-commands-store';

export const AGENT_COMMANDS = ['pause', 'resume', 'cancel', 'ping'] as const;
export type AgentCommandName = (typeof AGENT_COMMANDS)[number];

/** QoS 1 through the outbox; the agent answers on agents/<id>/replies with our id. */
export function useSendAgentCommand(agent: string): (command: AgentCommandName) => string {
  const connection = useConnection();
  const me = useCurrentUser();
  return useCallback(
    (command: AgentCommandName) => {
      const payload: AgentCommand = { id: crypto.randomUUID(), command, from: me };
      useAgentCommandsStore
        .getState()
        .addCommand({ id: payload.id, agent, command, sentAt: Date.now(), delivery: 'pending' });
      connection.publishReliable(agentInboxTopic(agent), JSON.stringify(payload), {
        id: payload.id,
      });
      return payload.id;
    },
    [agent, connection, me],
  );
}
