import { create } from 'zustand';
import type { ConnectionState } from '../../../lib/mqtt/connection-state';

interface ConnectionStore {
  state: ConnectionState;
  /** Payloads that failed their schema since sign-in (dropped, never rendered). */
  droppedPayloads: number;
  /**
   * Increments on every (re)connection (a CONNACK, or the socket found alive once the
   * network is back): history queries refetch to close any gap.
   */
  connectCount: number;
  setState(state: ConnectionState): void;
  countDropped(): void;
  reset(): void;
}

const initial = {
  state: { status: 'connecting' } as ConnectionState,
  droppedPayloads: 0,
  connectCount: 0,
};

export const useConnectionStore = create<ConnectionStore>()((set) => ({
  ...initial,
  setState: (state) =>
    set((current) => ({
      state,
      connectCount:
        state.status === 'connected' && current.state.status !== 'connected'
          ? current.connectCount + 1
          : current.connectCount,
    })),
  countDropped: () => set((current) => ({ droppedPayloads: current.droppedPayloads + 1 })),
  reset: () => set(initial),
}));
