import type { AgentState, AgentStatus } from '../../../../shared/schemas';
import { displayText } from '../../../lib/display-text';

// An agent that has not said anything for this long may be hung or cut off without its
// Last Will having fired yet (keepalive is 1.5× the agent's interval).
export const AGENT_STALE_AFTER_MS = 60_000;

export type AgentSort = 'name' | 'status' | 'updated';
export type StatusFilter = AgentStatus | 'all';

export interface BoardQuery {
  text: string;
  status: StatusFilter;
  sort: AgentSort;
}

export interface BoardRow {
  agent: string;
  state: AgentState;
  stale: boolean;
}

// What needs attention first.
const STATUS_RANK: Record<AgentStatus, number> = {
  error: 0,
  working: 1,
  paused: 2,
  idle: 3,
  offline: 4,
};

export function isStale(state: AgentState, now: number): boolean {
  return state.status !== 'offline' && now - state.updatedAt > AGENT_STALE_AFTER_MS;
}

export function boardRows(
  agents: ReadonlyMap<string, AgentState> | Readonly<Record<string, AgentState>>,
  query: BoardQuery,
  now: number,
): BoardRow[] {
  const rows: BoardRow[] = [];
  const entries = agents instanceof Map ? agents.entries() : Object.entries(agents);
  for (const [agent, state] of entries) {
    const row = boardRow(agent, state, query, now);
    if (row) rows.push(row);
  }
  return rows.sort(compareRows(query.sort));
}

/** The agent's row under `query`, or null when the query filters it out. */
export function boardRow(
  agent: string,
  state: AgentState,
  query: BoardQuery,
  now: number,
): BoardRow | null {
  if (query.status !== 'all' && state.status !== query.status) return null;
  const needle = query.text.trim().toLowerCase();
  if (needle && !matches(agent, state, needle)) return null;
  return { agent, state, stale: isStale(state, now) };
}

/** Rows' order for a sort; a total order (names are unique), so rows can be searched. */
export const compareRows = (sort: AgentSort) => comparators[sort];

// Against the text as shown: what was typed from the screen matches across a bidi control.
function matches(agent: string, state: AgentState, needle: string): boolean {
  return [agent, state.task, state.detail].some(
    (field) => field !== undefined && displayText(field).toLowerCase().includes(needle),
  );
}

const byName = (a: BoardRow, b: BoardRow) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0);

const comparators: Record<AgentSort, (a: BoardRow, b: BoardRow) => number> = {
  name: byName,
  status: (a, b) => STATUS_RANK[a.state.status] - STATUS_RANK[b.state.status] || byName(a, b),
  updated: (a, b) => b.state.updatedAt - a.state.updatedAt || byName(a, b),
};

// Past a week, "N d ago" is a sum to do: the date says it (an agent whose clock said
// `updatedAt: 0` is "1 Jan 1970", not "20793 d ago").
export const AGE_AS_DATE_FROM_MS = 7 * 24 * 3_600_000;

const dateFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
});

/**
 * How long before `now` the time `at` was: "just now", "42 s ago", "5 min ago", "3 h ago",
 * "2 d ago", and from a week on, its date.
 */
export function formatSince(at: number, now: number): string {
  const seconds = Math.max(0, Math.floor((now - at) / 1_000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  if (now - at < AGE_AS_DATE_FROM_MS) return `${Math.floor(hours / 24)} d ago`;
  return dateFormat.format(at);
}

/**
 * Progress as shown, in whole percent: rounded down, so that 99.6 is not "100 %" (done) and
 * a full bar while the agent still works; 100 only at 100. Begun but under 1 % is "<1 %",
 * not "0 %" (not begun). `percent` is what the bar draws and its aria-valuenow, `text` what
 * is written beside it and its aria-valuetext.
 */
export function formatProgress(progress: number): { percent: number; text: string } {
  if (progress >= 100) return { percent: 100, text: '100 %' };
  const percent = Math.max(0, Math.floor(progress));
  return { percent, text: percent === 0 && progress > 0 ? '<1 %' : `${percent} %` };
}
