import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { useNow } from '../../../hooks/use-now';
import { BoardIndex } from '../lib/board-index';
import { formatAge } from '../lib/board-view';
import { useAgentsStore } from '../stores/agents-store';
import { useBoardQueryStore } from '../stores/board-query-store';
import { AgentStatusBadge, ProgressBar } from './agent-status-badge';
import { BoardControls } from './board-controls';

const ROW_HEIGHT_PX = 76;
const OVERSCAN_ROWS = 6;
const AGE_TICK_MS = 5_000; // "updated 12 s ago" and stale markers move on their own

export function AgentBoard({ onOpenAgent }: { onOpenAgent(agent: string): void }) {
  const agents = useAgentsStore((state) => state.agents);
  const version = useAgentsStore((state) => state.version);
  const query = useBoardQueryStore((state) => state.query);
  const setQuery = useBoardQueryStore((state) => state.setQuery);
  const now = useNow(AGE_TICK_MS);
  const [index] = useState(() => new BoardIndex());
  const indexedVersion = useRef<number | null>(null);
  const rows = useMemo(() => {
    const since = indexedVersion.current;
    indexedVersion.current = version;
    // Changes up to the store's version, maybe past this render's: applying a change
    // twice is harmless, the map always holds the latest states.
    const changed = since === null ? null : useAgentsStore.getState().changedSince(since);
    return index.update(agents, changed, query, now);
  }, [index, agents, version, query, now]);
  const total = agents.size;

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT_PX,
    overscan: OVERSCAN_ROWS,
    getItemKey: (index) => rows[index]?.agent ?? index,
  });

  return (
    <section className="agents" aria-labelledby="agents-heading">
      <div className="view-header">
        <h2 id="agents-heading" className="view-title">
          Agents
        </h2>
        <p className="muted" aria-live="polite">
          {rows.length === total
            ? `${total} ${pluralAgents(total)}`
            : `${rows.length} of ${total} ${pluralAgents(total)}`}
        </p>
      </div>
      <BoardControls query={query} onChange={setQuery} />
      <div className="agents__scroller" ref={scrollRef}>
        {total === 0 && <p className="muted">No agent has reported yet.</p>}
        <ul
          className="agents__list"
          aria-label="Agents"
          style={{ height: virtualizer.getTotalSize() }}
        >
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const { agent, state, stale } = row;
            return (
              <li
                key={item.key}
                className={stale ? 'agent-row agent-row--stale' : 'agent-row'}
                style={{ height: ROW_HEIGHT_PX, transform: `translateY(${item.start}px)` }}
                aria-setsize={rows.length}
                aria-posinset={item.index + 1}
              >
                {/* Cut to one line: the whole id on hover (and as its accessible name). */}
                <button
                  className="agent-row__name link-button"
                  title={agent}
                  onClick={() => onOpenAgent(agent)}
                >
                  {agent}
                </button>
                <span className="agent-row__status">
                  <AgentStatusBadge status={state.status} />
                  {stale && (
                    <span className="stale-marker" title="No update for over a minute">
                      stale
                    </span>
                  )}
                </span>
                <span className="agent-row__task">{state.task ?? '—'}</span>
                <span className="agent-row__progress">
                  <ProgressBar value={state.progress} label={`${agent} progress`} />
                </span>
                <time
                  className="agent-row__age muted"
                  dateTime={new Date(state.updatedAt).toISOString()}
                >
                  {formatAge(now - state.updatedAt)}
                </time>
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}

const pluralAgents = (count: number) => (count === 1 ? 'agent' : 'agents');
