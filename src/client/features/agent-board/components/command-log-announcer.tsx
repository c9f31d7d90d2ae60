import { useEffect, useRef } from 'react';
import { useAnnouncement } from '../../../hooks/use-announcement';
import { withoutBidiControls } from '../../../lib/display-text';
import type { CommandLogEntry } from '../lib/command-log';
import { describeOutcome } from '../lib/outcome-wording';

// Changes are gathered this long, then said at once, each command with its latest outcome:
// a live agent's accepted and done (and the broker's PUBACK before them) come within it, and
// are one announcement, the result, not four.
export const ANNOUNCE_SETTLE_MS = 500;
// More at once (others' commands brought by a refetch after a reconnect) are counted, not read.
const MAX_READ_CHANGES = 3;

/**
 * The command log's live region, apart from the log: the log shows each command's age,
 * which changes every few seconds and is no news. This says only a new command and an
 * outcome that changed; what was there on arrival, and what the server's log brings when
 * it first comes, is not news either.
 */
export function CommandLogAnnouncer({
  entries,
  loading,
  me,
}: {
  entries: readonly CommandLogEntry[];
  /** The server's log is still coming: what it brings is the log as it was, no news. */
  loading: boolean;
  me: string;
}) {
  const [announcement, announce] = useAnnouncement();
  const known = useRef<ReadonlyMap<string, string> | null>(null); // id → outcome as shown
  const wasLoading = useRef(loading);
  const waiting = useRef(new Map<string, string>()); // id → what to say, oldest change first
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const outcomes = new Map(
      entries.map((entry) => [entry.id, describeOutcome(entry.outcome).text]),
    );
    const before = known.current;
    const logCame = wasLoading.current && !loading;
    known.current = outcomes;
    wasLoading.current = loading;
    if (before === null) return;

    // Oldest first, as they happened.
    for (const entry of [...entries].reverse()) {
      const outcome = outcomes.get(entry.id) ?? '';
      const was = before.get(entry.id);
      if (was === outcome || (was === undefined && logCame)) continue;
      const who = entry.from === me ? '' : ` by ${entry.from}`;
      waiting.current.delete(entry.id);
      waiting.current.set(entry.id, `${withoutBidiControls(entry.command)}${who}, ${outcome}`);
    }
    if (waiting.current.size === 0 || timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      const said = [...waiting.current.values()];
      waiting.current.clear();
      announce(
        said.length > MAX_READ_CHANGES ? `${said.length} recent commands changed` : said.join('. '),
      );
    }, ANNOUNCE_SETTLE_MS);
  }, [entries, loading, me, announce]);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
    },
    [],
  );

  return (
    <p className="visually-hidden" role="status">
      {announcement}
    </p>
  );
}
