import { create } from 'zustand';
import type { AgentState } from '../../../../shared/schemas';

export interface AgentStateChange {
  agent: string;
  /** null: the retained state was cleared (agent removed) */
  value: AgentState | null;
}

// How many updates back `changedSince` can answer; a reader further behind rebuilds. At
// one update per frame that is two seconds.
export const CHANGE_LOG_UPDATES = 120;

interface AgentsStore {
  /**
   * agent id → last-known state (from the retained agents/<id>/state). Updated in place,
   * so that a frame's few changes do not copy thousands of agents: select `version`, or
   * one agent's state, to re-render on changes, never this map alone.
   */
  agents: ReadonlyMap<string, AgentState>;
  /**
   * agent id → when it last went offline, by the server's clock, kept once it is back: a
   * command it had accepted before may be lost with the session it had. That offline state's
   * updatedAt (the server's clock for a Last Will), or when it came if that is earlier: an
   * agent's own clock may run up to a minute ahead (the broker allows it), which would place
   * its leaving after commands it accepted on its return. Updated in place, like `agents`.
   */
  wentOfflineAt: ReadonlyMap<string, number>;
  /** Bumped by every update that changed an agent. */
  version: number;
  /** The agents changed by each update, oldest first, for the last CHANGE_LOG_UPDATES. */
  changeLog: ReadonlyArray<{ version: number; agents: readonly string[] }>;
  /**
   * `serverNow` tells when they came by the server's clock (read once, and only for an
   * offline state); this device's clock by default, where none is known.
   */
  apply(changes: readonly AgentStateChange[], serverNow?: () => number): void;
  /** Agents changed after `version`; null when the log no longer reaches back that far. */
  changedSince(version: number): ReadonlySet<string> | null;
  reset(): void;
}

export const useAgentsStore = create<AgentsStore>()((set, get) => ({
  agents: new Map(),
  wentOfflineAt: new Map(),
  version: 0,
  changeLog: [],
  apply: (changes, serverNow = Date.now) =>
    set((state) => {
      const agents = state.agents as Map<string, AgentState>;
      const wentOfflineAt = state.wentOfflineAt as Map<string, number>;
      const changed: string[] = [];
      let cameAt: number | undefined;
      for (const { agent, value } of changes) {
        if (value ? agents.get(agent) === value : !agents.has(agent)) continue;
        if (value) agents.set(agent, value);
        else agents.delete(agent);
        if (!value) wentOfflineAt.delete(agent);
        else if (value.status === 'offline') {
          cameAt ??= serverNow();
          wentOfflineAt.set(agent, Math.min(value.updatedAt, cameAt));
        }
        changed.push(agent);
      }
      if (changed.length === 0) return state;
      const version = state.version + 1;
      const changeLog = state.changeLog.slice(-(CHANGE_LOG_UPDATES - 1));
      changeLog.push({ version, agents: changed });
      return { version, changeLog };
    }),
  changedSince: (since) => {
    const { version, changeLog } = get();
    if (since === version) return new Set();
    const oldest = changeLog[0];
    if (since > version || !oldest || oldest.version > since + 1) return null;
    const changed = new Set<string>();
    for (const entry of changeLog) {
      if (entry.version > since) for (const agent of entry.agents) changed.add(agent);
    }
    return changed;
  },
  // A new map: readers holding the old one see that everything changed.
  reset: () =>
    set((state) => ({
      agents: new Map(),
      wentOfflineAt: new Map(),
      version: state.version + 1,
      changeLog: [],
    })),
}));
