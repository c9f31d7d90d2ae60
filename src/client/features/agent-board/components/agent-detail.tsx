import { useId, useLayoutEffect } from 'react';
import { InPlaceLink } from '../../../components/in-place-link';
import { useNow } from '../../../hooks/use-now';
import { ShownText } from '../../../components/shown-text';
import { useCurrentUser } from '../../auth/hooks/use-current-user';
import { useCommandLog } from '../hooks/use-command-log';
import { AGENT_COMMANDS, useSendAgentCommand } from '../hooks/use-send-agent-command';
import { noteAgentLeft } from '../lib/agent-left';
import { formatProgress, formatSince, isStale } from '../lib/board-view';
import { useAgentsStore } from '../stores/agents-store';
import { AgentStatusBadge, ProgressBar } from './agent-status-badge';
import { CommandLogAnnouncer } from './command-log-announcer';
import { CommandStatus } from './command-status';

const AGE_TICK_MS = 5_000;

interface AgentDetailProps {
  agent: string;
  /** The board's address, for "← All agents". */
  boardHref: string;
  /** Back to the board: like Back when one came from it. */
  onBack(): void;
}

export function AgentDetail({ agent, boardHref, onBack }: AgentDetailProps) {
  const state = useAgentsStore((s) => s.agents.get(agent));
  const send = useSendAgentCommand(agent);
  const now = useNow(AGE_TICK_MS);
  const me = useCurrentUser();
  const log = useCommandLog(agent, now);
  const unknownId = useId();
  // Each list named by its heading: a screen reader's list of lists tells them apart.
  const commandsId = useId();
  const repliesId = useId();
  // Whichever way the board comes back ("← All agents", Back), it returns to this row.
  useLayoutEffect(() => () => noteAgentLeft(agent), [agent]);

  return (
    <section className="agent-detail" aria-labelledby="agent-heading">
      <InPlaceLink href={boardHref} onFollow={onBack}>
        ← All agents
      </InPlaceLink>
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
          <dd dir="auto">{state.task === undefined ? '—' : <ShownText text={state.task} />}</dd>
          <dt>Progress</dt>
          <dd>
            {state.progress === undefined ? '—' : formatProgress(state.progress).text}
            <ProgressBar value={state.progress} label={`${agent} progress`} />
          </dd>
          <dt>Detail</dt>
          <dd dir="auto">{state.detail === undefined ? '—' : <ShownText text={state.detail} />}</dd>
          <dt>Updated</dt>
          <dd>
            <time dateTime={new Date(state.updatedAt).toISOString()}>
              {formatSince(state.updatedAt, now)}
            </time>
          </dd>
        </dl>
      ) : (
        // Said before the commands, and read with each of them: a mistyped or removed id
        // shows this page too. Commands are not refused: an agent that has not reported
        // yet, or one with a persistent session, still gets them. The server logs only an
        // agent's commands (broker/known-agents.ts), and whether an id is one is not told
        // here (its log is empty either way): so "if", not "is not".
        <p id={unknownId} className="notice agent-detail__unknown">
          <strong>No agent “{agent}” has reported a state, so there may be no such agent.</strong>{' '}
          Commands are still sent to its inbox: an agent of this id that connects later, or that
          keeps its session, runs them then. But if “{agent}” is not an agent of this organisation,
          they are not kept in its log: only this tab lists them, until it is reloaded.
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
      {/* The log below is no live region (its ages tick): this says what changes in it. */}
      <CommandLogAnnouncer
        entries={log.entries}
        loading={log.arriving}
        agentKnown={state !== undefined}
        me={me}
      />
      <h3 id={commandsId}>Recent commands</h3>
      {/* A failed refresh leaves the log shown: it is only said to be maybe out of date. */}
      {log.error && (
        <p className="notice">
          {log.status === 'stale'
            ? 'This list could not be refreshed and may be out of date'
            : 'Commands sent before this page was opened, or from elsewhere, could not be loaded'}
          : {log.error.message}
        </p>
      )}
      {/* Nothing loaded says so above: not also "None yet.", which would claim to know. */}
      {log.entries.length === 0 ? (
        log.status !== 'error' && (
          <p className="muted">{log.status === 'loading' ? 'Loading…' : 'None yet.'}</p>
        )
      ) : (
        <ul className="command-log" aria-labelledby={commandsId}>
          {log.entries.map(({ id, command, from, sentAt, outcome }) => (
            <li key={id} className="command-log__item">
              <span className="command-log__name">
                <ShownText text={command} />
              </span>
              <span className="muted">by {from === me ? 'you' : from}</span>
              <time className="muted" dateTime={new Date(sentAt).toISOString()}>
                {formatSince(sentAt, now)}
              </time>
              <CommandStatus outcome={outcome} />
            </li>
          ))}
        </ul>
      )}
      {log.unmatched.length > 0 && (
        <>
          <h3 id={repliesId}>Replies to other dashboards</h3>
          <ul className="command-log" aria-labelledby={repliesId}>
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
