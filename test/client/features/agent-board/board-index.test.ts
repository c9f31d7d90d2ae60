import { describe, expect, it, vi } from 'vitest';
import type { AgentState, AgentStatus } from '../../../../src/shared/schemas';
import { BoardIndex } from '../../../../src/client/features/agent-board/lib/board-index';
import {
  AGENT_STALE_AFTER_MS,
  boardRows,
  type BoardQuery,
} from '../../../../src/client/features/agent-board/lib/board-view';
import { useAgentsStore } from '../../../../src/client/features/agent-board/stores/agents-store';
import { seededRandom } from '../../../support/seeded-random';

const NOW = 1_735_725_600_000;
const STATUSES: AgentStatus[] = ['error', 'working', 'paused', 'idle', 'offline'];

const queries: BoardQuery[] = [
  { text: '', status: 'all', sort: 'name' },
  { text: '', status: 'all', sort: 'status' },
  { text: '', status: 'all', sort: 'updated' },
  { text: '', status: 'working', sort: 'updated' },
  { text: 'task 1', status: 'all', sort: 'status' },
];

describe('BoardIndex', () => {
  it.each(queries)(
    'stays equal to a full rebuild through updates, removals and time (%o)',
    (query) => {
      const next = seededRandom(query.text.length + query.sort.length + query.status.length);
      const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
      const agents = new Map<string, AgentState>();
      const state = (at: number): AgentState => ({
        status: pick(STATUSES),
        task: `task ${Math.floor(next() * 20)}`,
        updatedAt: at - Math.floor(next() * 2 * AGENT_STALE_AFTER_MS),
      });
      for (let i = 0; i < 200; i++) agents.set(`agent-${i}`, state(NOW));
      const index = new BoardIndex();
      let rows = index.update(agents, null, query, NOW);
      expect(rows).toEqual(boardRows(agents, query, NOW));

      let now = NOW;
      for (let frame = 0; frame < 40; frame++) {
        if (frame % 10 === 9) now += 5_000; // the age tick: stale markers move
        const changed = new Set<string>();
        for (let n = 0; n < 8; n++) {
          const agent = `agent-${Math.floor(next() * 220)}`; // some are new
          if (next() < 0.1) agents.delete(agent);
          else agents.set(agent, state(now));
          changed.add(agent);
        }
        const previous = rows;
        const previousRows = [...previous];
        rows = index.update(agents, changed, query, now);
        expect(rows).toEqual(boardRows(agents, query, now));
        expect(previous).toEqual(previousRows); // a returned array is never changed later
        for (const agent of changed) {
          expect(index.indexOf(agent)).toBe(rows.findIndex((row) => row.agent === agent));
        }
      }
      expect(index.update(agents, new Set(), query, now)).toBe(rows); // nothing changed
    },
  );

  it('rebuilds for a new query or unknown changes', () => {
    const agents = new Map<string, AgentState>([
      ['b', { status: 'idle', updatedAt: NOW }],
      ['a', { status: 'error', updatedAt: NOW - 1 }],
    ]);
    const index = new BoardIndex();
    const byName = index.update(agents, null, queries[0] as BoardQuery, NOW);
    expect(byName.map((row) => row.agent)).toEqual(['a', 'b']);
    agents.set('c', { status: 'working', updatedAt: NOW });
    const byStatus = index.update(agents, new Set(), queries[1] as BoardQuery, NOW);
    expect(byStatus.map((row) => row.agent)).toEqual(['a', 'c', 'b']);
    agents.delete('a');
    const unknown = index.update(agents, null, queries[1] as BoardQuery, NOW);
    expect(unknown.map((row) => row.agent)).toEqual(['c', 'b']);
  });
});

describe('agents store', () => {
  const idle = (updatedAt: number): AgentState => ({ status: 'idle', updatedAt });

  it('bumps its version only for real changes and tells what changed since a version', () => {
    const store = useAgentsStore.getState();
    const start = useAgentsStore.getState().version;
    store.apply([{ agent: 'a', value: idle(1) }]);
    const first = useAgentsStore.getState().version;
    expect(first).toBe(start + 1);
    store.apply([{ agent: 'missing', value: null }]); // nothing to clear
    const same = useAgentsStore.getState().agents.get('a');
    store.apply([{ agent: 'a', value: same ?? null }]); // the very same state
    expect(useAgentsStore.getState().version).toBe(first);

    store.apply([{ agent: 'b', value: idle(2) }]);
    store.apply([
      { agent: 'c', value: idle(3) },
      { agent: 'a', value: null },
    ]);
    expect([...(useAgentsStore.getState().changedSince(first) ?? [])].sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(useAgentsStore.getState().changedSince(useAgentsStore.getState().version)).toEqual(
      new Set(),
    );
    expect(useAgentsStore.getState().agents.has('a')).toBe(false);
  });

  it('times an agent’s leaving by its offline state, or by when that came if stamped later', () => {
    const offline = (updatedAt: number): AgentState => ({ status: 'offline', updatedAt });
    const serverNow = vi.fn(() => NOW);
    const store = useAgentsStore.getState();
    store.apply([{ agent: 'a', value: idle(NOW + 50_000) }], serverNow);
    expect(serverNow).not.toHaveBeenCalled(); // no offline state: the clock is not read
    store.apply(
      [
        { agent: 'a', value: offline(NOW + 50_000) }, // its own clock runs ahead
        { agent: 'b', value: offline(NOW - 1_000) }, // a Last Will, or a retained state
      ],
      serverNow,
    );
    expect(serverNow).toHaveBeenCalledTimes(1); // once for the whole update
    const { wentOfflineAt } = useAgentsStore.getState();
    expect(wentOfflineAt.get('a')).toBe(NOW);
    expect(wentOfflineAt.get('b')).toBe(NOW - 1_000);
  });

  it('answers null when its log no longer reaches back, and after a reset', () => {
    const store = useAgentsStore.getState();
    const start = useAgentsStore.getState().version;
    for (let i = 0; i < 200; i++) store.apply([{ agent: 'a', value: idle(i) }]);
    expect(useAgentsStore.getState().changedSince(start)).toBeNull();
    const recent = useAgentsStore.getState().version - 5;
    expect(useAgentsStore.getState().changedSince(recent)).toEqual(new Set(['a']));

    const map = useAgentsStore.getState().agents;
    store.reset();
    expect(useAgentsStore.getState().agents).not.toBe(map);
    expect(useAgentsStore.getState().changedSince(recent)).toBeNull();
  });
});
