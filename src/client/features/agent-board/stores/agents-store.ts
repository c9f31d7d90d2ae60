import { create } from 'zustand';
import type { AgentState } from '../../../../shared/schemas';

export interface AgentStateChange {
  agent: string;
  /** null: the retained state was cleared (agent removed) */
  value: AgentState | null;
}

interface AgentsStore {
  /** agent id → last-known state (from the retained agents/<id>/state) */
  agents: Record<string, AgentState>;
  apply(changes: readonly AgentStateChange[]): void;
  reset(): void;
}

export const useAgentsStore = create<AgentsStore>()((set) => ({
  agents: {},
  apply: (changes) =>
    set((state) => {
      const agents = { ...state.agents };
      for (const { agent, value } of changes) {
        if (value) agents[agent] = value;
        else delete agents[agent];
      }
      return { agents };
    }),
  reset: () => set({ agents: {} }),
}));
