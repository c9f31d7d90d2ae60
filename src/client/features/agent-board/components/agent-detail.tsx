import { useId } from 'react';
import { useNow } from '../../../hooks/use-now';
import { useCurrentUser } from '../../auth/hooks/use-current-user';
import { useCommandLog } from '../hooks/use-command-log';
import { AGENT_COMMANDS, useSendAgentCommand } from '../hooks/use-send-agent-command';
import { formatAge, isStale } from '../lib/board-view';
import { useAgentsStore } from '../stores/agents-store';
import { AgentStatusBadge, ProgressBar } from './agent-status-badge';
import { CommandStatus } from './command-status';

const AGE_TICK_MS = 5_000;

export function AgentDetail({ agent, onBack }: { agent: string; onBack(): void }) {
  const state = useAgentsStore((s) => s.agents.get(agent));
  const send = useSendAgentCommand(agent);
  const now = useNow(AGE_TICK_MS);
  const me = useCurrentUser();
  const log = useCommandLog(agent, now);
  const unknownId = useId();

  return (
    <section className="agent-detail" aria-labelledby="agent-heading">
      <button className="link-button" onClick={onBack}>
        ← All agents
      </button>
      <h2 id="agent-heading" className="view-title">
        {agent}
      </h2>
      {state ? (
        <dl className="agent-detail__state">
          <dt>Status</dt>
          <dd>
            <AgentStatusBadge status={state.status} />
            {isStale(state, now) && <span className="stale-marker">stale</span>}
          </dd>
          <dt>Task</dt>
          <dd>{state.task ?? '—'}</dd>
          <dt>Progress</dt>
          <dd>
            {state.progress === undefined ? '—' : `${Math.round(state.progress)} %`}
            <ProgressBar value={state.progress} label={`${agent} progress`} />
          </dd>
          <dt>Detail</dt>
          <dd>{state.detail ?? '—'}</dd>
          <dt>Updated</dt>
          <dd>{formatAge(now - state.updatedAt)}</dd>
        </dl>
      ) : (
        // Said before the commands, and read with each of them: a mistyped or removed id
        // shows this page too. Commands are not refused: an agent that has not reported
        // yet, or one with a persistent session, still gets them.
        <p id={unknownId} className="notice agent-detail__unknown">
          <strong>No agent “{agent}” has reported a state, so there may be no such agent.</strong>{' '}
          Commands are still sent to its inbox: an agent of this id that connects later, or that
          keeps its session, runs them then.
        </p>
      )}
      <div
        className="agent-detail__commands"
        role="group"
        aria-label="Commands"
        aria-describedby={state ? undefined : unknownId}
      >
        {AGENT_COMMANDS.map((command) => (
          <button key={command} className="button" onClick={() => send(command)}>
            {command[0]?.toUpperCase()}
            {command.slice(1)}
          </button>
        ))}
      </div>
      <h3>Recent commands</h3>
      {log.status === 'error' && (
        <p className="notice">
          Commands sent before this page was opened, or from elsewhere, could not be loaded:{' '}
          {log.error?.message}
        </p>
      )}
      {/* There before the first command, so screen readers announce that one too; busy while
          the log loads, so the commands it brings are not read out one by one. */}
      <div aria-live="polite" aria-busy={log.status === 'loading'}>
        {log.entries.length === 0 ? (
          <p className="muted">{log.status === 'loading' ? 'Loading…' : 'None yet.'}</p>
        ) : (
          <ul className="command-log">
            {log.entries.map(({ id, command, from, sentAt, outcome }) => (
              <li key={id} className="command-log__item">
                <span className="command-log__name">{command}</span>
                <span className="muted">by {from === me ? 'you' : from}</span>
                <span className="muted">{formatAge(now - sentAt)}</span>
                <CommandStatus outcome={outcome} />
              </li>
            ))}
          </ul>
        )}
      </div>
      {log.unmatched.length > 0 && (
        <>
          <h3>Replies to other dashboards</h3>
          <ul className="command-log">
            {log.unmatched.map(({ commandId, latest }) => (
              <li key={commandId} className="command-log__item">
                <span className="command-log__name">command {commandId.slice(0, 8)}</span>
                <CommandStatus outcome={{ kind: 'replied', reply: latest }} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
