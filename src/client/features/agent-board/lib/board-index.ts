import type { AgentState } from '../../../../shared/schemas';
import {
  boardRow,
  boardRows,
  compareRows,
  isStale,
  type BoardQuery,
  type BoardRow,
} from './board-view';
import { lowerBound } from '../../../lib/lower-bound';

/**
 * The board's filtered, sorted rows, kept up to date from the agents that changed: a
 * row whose sort key stayed put is replaced where it is, one whose key moved is taken
 * out and put back where it now sorts. Everything is rebuilt only when the query or the
 * agents map itself changes, or when the changes are not known.
 */
export class BoardIndex {
  private agents: ReadonlyMap<string, AgentState> | null = null;
  private query: BoardQuery | null = null;
  private now = 0;
  private rows: BoardRow[] = [];
  private rowOf = new Map<string, BoardRow>();

  /**
   * @param changed agents changed since the previous call; null when not known
   * @returns the rows; a new array whenever they differ from the previous call's
   */
  update(
    agents: ReadonlyMap<string, AgentState>,
    changed: ReadonlySet<string> | null,
    query: BoardQuery,
    now: number,
  ): readonly BoardRow[] {
    if (agents !== this.agents || !sameQuery(query, this.query) || changed === null) {
      this.rebuild(agents, query, now);
      return this.rows;
    }
    const compare = compareRows(query.sort);
    let rows: BoardRow[] | null = null; // copied on the first change
    for (const agent of changed) {
      const before = this.rowOf.get(agent);
      const state = agents.get(agent);
      const after = state ? boardRow(agent, state, query, now) : null;
      if (!before && !after) continue;
      rows ??= this.rows.slice();
      if (before && after && compare(before, after) === 0) {
        rows[lowerBound(rows, before, compare)] = after;
      } else {
        if (before) rows.splice(lowerBound(rows, before, compare), 1);
        if (after) rows.splice(lowerBound(rows, after, compare), 0, after);
      }
      if (after) this.rowOf.set(agent, after);
      else this.rowOf.delete(agent);
    }
    if (now !== this.now) {
      rows ??= this.rows.slice();
      this.markStale(rows, now);
    }
    this.now = now;
    if (rows) this.rows = rows;
    return this.rows;
  }

  /** Where `agent`'s row is in the rows last returned; -1 when it has none (filtered out). */
  indexOf(agent: string): number {
    const row = this.rowOf.get(agent);
    if (!row || !this.query) return -1;
    return lowerBound(this.rows, row, compareRows(this.query.sort));
  }

  private rebuild(agents: ReadonlyMap<string, AgentState>, query: BoardQuery, now: number): void {
    this.agents = agents;
    this.query = query;
    this.now = now;
    this.rows = boardRows(agents, query, now);
    this.rowOf = new Map(this.rows.map((row) => [row.agent, row]));
  }

  /** Time passing changes only the stale markers, never the order. */
  private markStale(rows: BoardRow[], now: number): void {
    rows.forEach((row, index) => {
      const stale = isStale(row.state, now);
      if (stale === row.stale) return;
      const marked = { ...row, stale };
      rows[index] = marked;
      this.rowOf.set(row.agent, marked);
    });
  }
}

const sameQuery = (a: BoardQuery, b: BoardQuery | null) =>
  b !== null && a.text === b.text && a.status === b.status && a.sort === b.sort;
