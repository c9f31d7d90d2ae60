import { useNow } from '../../../hooks/use-now';
import type { ConnectionState } from '../../../lib/mqtt/connection-state';
import { useConnectionStore } from '../stores/connection-store';

const COUNTDOWN_TICK_MS = 1_000;
// What the outbox means for someone who just lost their network (on narrow screens only
// read out: the header has no room for it).
const OFFLINE_DETAIL = ' — messages will be sent when you’re back';

export function StatusPill() {
  const state = useConnectionStore((s) => s.state);
  const dropped = useConnectionStore((s) => s.droppedPayloads);
  return (
    <p
      className={`status-pill status-pill--${state.status}`}
      title={dropped > 0 ? `${dropped} invalid message(s) ignored` : undefined}
    >
      <span className="status-pill__dot" aria-hidden="true" />
      {/* Announced when the status changes; the ticking countdown is not. */}
      <span role="status">
        {describeState(state)}
        {state.status === 'offline' && (
          <span className="status-pill__detail">{OFFLINE_DETAIL}</span>
        )}
      </span>
      {state.status === 'reconnecting' && <Countdown until={state.nextRetryAt} />}
    </p>
  );
}

export function describeState(state: ConnectionState): string {
  switch (state.status) {
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Connected';
    case 'reconnecting':
      return `Reconnecting (attempt ${state.attempt})`;
    case 'offline':
      return 'Offline';
    case 'auth-error':
      return 'Sign-in needed';
    case 'signed-out':
      return 'Signed out';
  }
}

function Countdown({ until }: { until: number }) {
  const now = useNow(COUNTDOWN_TICK_MS);
  const seconds = Math.ceil((until - now) / 1_000);
  return <span aria-hidden="true">{seconds > 0 ? ` · ${seconds} s` : ' · now'}</span>;
}
