import { useEffect, useRef } from 'react';
import { useAnnouncement } from '../../../hooks/use-announcement';
import { displayText } from '../../../lib/display-text';
import type { CommandLogEntry } from '../lib/command-log';
import { describeOutcome } from '../lib/outcome-wording';
import { useAgentCommandsStore } from '../stores/agent-commands-store';

// Changes are gathered this long, then said at once, each command with its latest outcome:
// a live agent's accepted and done (and the broker's PUBACK before them) come within it, and
// are one announcement, the result, not four.
export const ANNOUNCE_SETTLE_MS = 500;
// More at once (others' commands brought by a refetch after a reconnect) are counted, not read.
const MAX_READ_CHANGES = 3;

/**
 * The command log's live region, apart from the log: the log shows each command's age,
 * which changes every few seconds and is no news. This says only a new command and an
 * outcome that changed. What was already true when the page opened is no news, however
 * late the page learns it, so nothing is said for:
 * - the log as first shown (this tab's commands, a log cached from an earlier visit);
 * - what the log's first fetch since the page opened brings, new commands and changed
 *   outcomes alike (a cached log is asked again on each open: what others sent meanwhile);
 * - what changes when the agent's state first becomes known (it had none when the page
 *   opened). On a reload the retained state comes with the subscription, often after the
 *   log, and an offline one changes outcomes at once ("the agent is offline", "went offline
 *   before finishing"): how the agent was, not what just happened. The rule is on the order
 *   things are learnt, not on a wait: nothing tells that no retained state is coming (an
 *   agent that never reported has none). It misses one case: an agent with no state, whose
 *   first one comes while the page is open and says offline (no other status changes an
 *   outcome), has that shown but not said. Only the first time: cleared and back is news.
 * Anything after is news: a reply, a command from here, a wait that runs out, the agent
 * going offline, others' commands brought by a later fetch. So is a reply heard, or a
 * command of this tab's sent or acknowledged, in the very render where the log or the
 * state lands: what came live then is told from what was there by the stores' records.
 */
export function CommandLogAnnouncer({
  entries,
  loading,
  agentKnown,
  me,
}: {
  entries: readonly CommandLogEntry[];
  /**
   * The server's log is still coming in its first fetch since the page opened (from the
   * cache or nothing meanwhile): what it brings is the log as it was, no news.
   */
  loading: boolean;
  /** Whether the agent's state is known (it has one). */
  agentKnown: boolean;
  me: string;
}) {
  const [announcement, announce] = useAnnouncement();
  // This tab's commands and the replies heard live, by command id: each record is replaced
  // when something comes for it.
  const sent = useAgentCommandsStore((s) => s.commands);
  const heard = useAgentCommandsStore((s) => s.replies);
  const live = useRef({ sent, heard });
  const known = useRef<ReadonlyMap<string, string> | null>(null); // id → outcome as shown
  const wasLoading = useRef(loading);
  const agentWasKnown = useRef(agentKnown); // since the page opened, at any time
  const waiting = useRef(new Map<string, string>()); // id → what to say, oldest change first
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const outcomes = new Map(
      entries.map((entry) => [entry.id, describeOutcome(entry.outcome).text]),
    );
    const before = known.current;
    const arrived = (wasLoading.current && !loading) || (!agentWasKnown.current && agentKnown);
    const was = live.current;
    live.current = { sent, heard };
    known.current = outcomes;
    wasLoading.current = loading;
    agentWasKnown.current ||= agentKnown;
    if (before === null) return;

    // Oldest first, as they happened.
    for (const entry of [...entries].reverse()) {
      const outcome = outcomes.get(entry.id) ?? '';
      if (before.get(entry.id) === outcome) continue;
      const who = entry.from === me ? '' : ` by ${entry.from}`;
      const said = `${displayText(entry.command)}${who}, ${outcome}`;
      const cameLive =
        sent[entry.id] !== was.sent[entry.id] || heard[entry.id] !== was.heard[entry.id];
      if (arrived && !cameLive) {
        // Not news itself; but what is about to be said of it says it as it is now.
        if (waiting.current.has(entry.id)) waiting.current.set(entry.id, said);
        continue;
      }
      waiting.current.delete(entry.id);
      waiting.current.set(entry.id, said);
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
  }, [entries, loading, agentKnown, me, announce, sent, heard]);

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
