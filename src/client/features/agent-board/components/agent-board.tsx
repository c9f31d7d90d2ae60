import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { InPlaceLink } from '../../../components/in-place-link';
import { useNow } from '../../../hooks/use-now';
import { ShownText } from '../../../components/shown-text';
import { displayText } from '../../../lib/display-text';
import { takeAgentLeft } from '../lib/agent-left';
import { BoardIndex } from '../lib/board-index';
import { formatSince } from '../lib/board-view';
import { useRowLayout } from '../hooks/use-row-layout';
import { useAgentsStore } from '../stores/agents-store';
import { useBoardQueryStore } from '../stores/board-query-store';
import { AgentStatusBadge, ProgressBar } from './agent-status-badge';
import { BoardControls } from './board-controls';

const OVERSCAN_ROWS = 6;
const AGE_TICK_MS = 5_000; // "updated 12 s ago" and stale markers move on their own

interface AgentBoardProps {
  /** The address of the agent's detail, for its row's link. */
  agentHref(agent: string): string;
  onOpenAgent(agent: string): void;
}

export function AgentBoard({ agentHref, onOpenAgent }: AgentBoardProps) {
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

  // The row focus is on, or is to return to, stays rendered wherever the list is scrolled:
  // unmounted, it would drop focus to <body>.
  const [focusedAgent, setFocusedAgent] = useState<string | null>(null);
  const [returning, setReturning] = useState(false);
  const focusedIndex = focusedAgent === null ? -1 : index.indexOf(focusedAgent);
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range); // consecutive
      const first = indexes[0] ?? 0;
      if (focusedIndex < 0 || (focusedIndex >= first && focusedIndex < first + indexes.length))
        return indexes;
      return focusedIndex < first ? [focusedIndex, ...indexes] : [...indexes, focusedIndex];
    },
    [focusedIndex],
  );

  const scrollRef = useRef<HTMLDivElement>(null);
  const layout = useRowLayout();
  const rowHeight = layout.heightPx;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: OVERSCAN_ROWS,
    getItemKey: (index) => rows[index]?.agent ?? index,
    rangeExtractor,
  });

  // Rows of another height (the window or the text size changed): placed anew.
  const placedHeight = useRef(rowHeight);
  useLayoutEffect(() => {
    if (placedHeight.current === rowHeight) return;
    placedHeight.current = rowHeight;
    virtualizer.measure();
  }, [virtualizer, rowHeight]);

  // Back from an agent's detail: its row is scrolled to, and takes focus.
  useLayoutEffect(() => {
    const agent = takeAgentLeft();
    const at = agent === null ? -1 : index.indexOf(agent);
    if (agent === null || at < 0) return; // filtered out: focus stays where the shell puts it
    virtualizer.scrollToIndex(at, { align: 'center' });
    setFocusedAgent(agent);
    setReturning(true);
  }, [index, virtualizer]);
  // A render after the one that showed the board: the shell moves focus to the new view in
  // that one's effects (after this component's), and the row must come after it.
  useEffect(() => {
    if (!returning || focusedAgent === null) return;
    setReturning(false);
    rowLink(scrollRef.current, focusedAgent)?.focus();
  }, [returning, focusedAgent]);

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
          className={layout.stacked ? 'agents__list agents__list--stacked' : 'agents__list'}
          aria-label="Agents"
          style={{ height: virtualizer.getTotalSize() }}
        >
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const { agent, state, stale } = row;
            const task = state.task === undefined ? undefined : displayText(state.task);
            return (
              <li
                key={item.key}
                className={stale ? 'agent-row agent-row--stale' : 'agent-row'}
                style={{ height: rowHeight, transform: `translateY(${item.start}px)` }}
                aria-setsize={rows.length}
                aria-posinset={item.index + 1}
              >
                {/* Cut to one line: the whole id on hover (and as its accessible name). */}
                <InPlaceLink
                  data-agent={agent}
                  className="agent-row__name"
                  href={agentHref(agent)}
                  title={agent}
                  onFollow={() => onOpenAgent(agent)}
                  onFocus={() => setFocusedAgent(agent)}
                  onBlur={() => setFocusedAgent((shown) => (shown === agent ? null : shown))}
                >
                  {agent}
                </InPlaceLink>
                <span className="agent-row__status">
                  <AgentStatusBadge status={state.status} />
                  {stale && (
                    <span className="stale-marker" title="No update for over a minute">
                      stale
                    </span>
                  )}
                </span>
                {/* Cut to one line too: the whole task on hover, and read whole by screen
                    readers; in its own direction (a right-to-left task reads as written). */}
                <span className="agent-row__task" title={task} dir="auto">
                  {state.task === undefined ? '—' : <ShownText text={state.task} />}
                </span>
                <span className="agent-row__progress">
                  <ProgressBar value={state.progress} label={`${agent} progress`} withText />
                </span>
                <time
                  className="agent-row__age muted"
                  dateTime={new Date(state.updatedAt).toISOString()}
                >
                  {formatSince(state.updatedAt, now)}
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

/**
 * The agent's row link among those rendered, looked up when focus returns to it: a ref per
 * row would be a new callback each render, which React clears and sets again on every
 * visible row, up to once a frame while agents report. Compared as text: an id may hold
 * what a selector would have to escape.
 */
function rowLink(scroller: HTMLElement | null, agent: string): HTMLElement | undefined {
  const links = scroller?.querySelectorAll<HTMLElement>('[data-agent]') ?? [];
  return [...links].find((link) => link.dataset.agent === agent);
}
