import { AGENT_STATUSES } from '../../../../shared/schemas';
import type { AgentSort, BoardQuery, StatusFilter } from '../lib/board-view';
import { Field } from '../../../components/field';

export function BoardControls({
  query,
  onChange,
}: {
  query: BoardQuery;
  onChange(query: BoardQuery): void;
}) {
  return (
    <div className="board-controls" role="search">
      <Field label="Filter">
        {(control) => (
          <input
            {...control}
            type="search"
            value={query.text}
            placeholder="Name, task or detail"
            onChange={(event) => onChange({ ...query, text: event.target.value })}
          />
        )}
      </Field>
      <Field label="Status">
        {(control) => (
          <select
            {...control}
            value={query.status}
            onChange={(event) => onChange({ ...query, status: event.target.value as StatusFilter })}
          >
            <option value="all">All</option>
            {AGENT_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Sort by">
        {(control) => (
          <select
            {...control}
            value={query.sort}
            onChange={(event) => onChange({ ...query, sort: event.target.value as AgentSort })}
          >
            <option value="name">Name</option>
            <option value="status">Status</option>
            <option value="updated">Last update</option>
          </select>
        )}
      </Field>
    </div>
  );
}
