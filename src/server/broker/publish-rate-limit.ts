import type { DecodedPayload } from '../../shared/schemas';
import type { Logger } from '../logger';
import type { ClientIdentity } from './client-identity';
import { createPacedLines } from './paced-lines';
import { createRefusalLogBudget } from './refusal-log-budget';
import { createTokenBuckets } from './token-buckets';

/**
 * What people write for others to read, each kept or fanned out: a chat message (kept for
 * HISTORY_RETENTION_DAYS, sent to every reader of the room), typing, a command to an
 * agent (logged). Agent states, replies, presence and notifications are not paced: agents
 * and services publish them, states thousands a second.
 */
const PACED_KINDS: ReadonlySet<DecodedPayload['kind']> = new Set([
  'chat-message',
  'chat-typing',
  'agent-inbox',
]);

// A user's role, as read, is trusted this long per connection: a role changed by an admin
// reaches a connection's pace within it (one that can no longer use the app is closed).
export const ROLE_KNOWN_FOR_MS = 60_000;

// How long a person's chat messages and commands may wait for their turn, at most: an app
// back online with a queue past CHAT_BURST sends it all at once, and what is over the
// burst is spread out instead of dropped. Past it, a publish goes nowhere, as before.
export const MAX_WAIT_SECONDS = 10;
// And in bytes, whatever the count: a waiting publish holds its packet (up to
// MAX_PACKET_BYTES, 256 KiB), so a person's line holds at most this much memory.
export const MAX_WAITING_BYTES = 1_048_576; // 1 MiB

export interface PublishRateLimitOptions {
  /** Chat messages, typing and commands a person may publish per second, sustained; 0: no limit. */
  ratePerSecond: number;
  /** How many they may publish at once after a pause. */
  burst: number;
  /**
   * Whether the user is a person (a member or an admin: the app's roles), read from the
   * store; may throw (the publisher is then paced as a person).
   */
  isPerson(org: string, user: string): boolean;
  logger: Logger;
  now?: () => number;
}

/**
 * When a publish the checks accepted may go: `go(true)` now or in its turn, `go(false)` if
 * never. A person's chat messages and agent commands share one token bucket per org and
 * user, across their connections, or one member could fill every reader's timeline and the
 * history (4,000 characters a message, kept 30 days) as fast as the broker takes them; past
 * it they wait in line, in order, up to MAX_WAIT_SECONDS' worth, and only past that go
 * nowhere, as a refused publish does. Typing has a bucket of its own and never waits: a
 * late "is typing" is a wrong one. Agents, services and devices are not paced: their
 * states and notifications come at their own rates.
 *
 * A waiting publish holds up its connection as aedes handles any slow one: its PUBACK
 * comes when it goes, and past READ_AHEAD_PACKETS being handled, the connection is not
 * read (read-ahead.ts), so TCP's window slows the sender.
 */
export type PacePublish = (
  publisher: ClientIdentity,
  message: DecodedPayload,
  bytes: number,
  go: (admitted: boolean) => void,
  /** Whether it will never go now (its connection closed): it leaves the line (paced-lines.ts). */
  abandoned: () => boolean,
) => void;

export interface PublishRateLimit {
  pace: PacePublish;
  /** Ends the lines: what waits never goes (the broker is closing). */
  close(): void;
  /** How many publishes wait for their turn now. */
  readonly waiting: number;
}

export function createPublishRateLimit(options: PublishRateLimitOptions): PublishRateLimit {
  if (options.ratePerSecond === 0) {
    return { pace: (_publisher, _message, _bytes, go) => go(true), close() {}, waiting: 0 };
  }
  const { logger, ratePerSecond, burst } = options;
  const now = options.now ?? (() => performance.now());
  const buckets = createTokenBuckets({ ratePerSecond, burst, now });
  const lines = createPacedLines({
    buckets,
    maxWaiting: Math.ceil(ratePerSecond * MAX_WAIT_SECONDS),
    maxBytes: MAX_WAITING_BYTES,
  });
  // Per connection, so it goes with the connection; asked of every paced publish.
  const roles = new WeakMap<ClientIdentity, { person: boolean; until: number }>();
  const isPerson = (publisher: ClientIdentity): boolean => {
    const at = now();
    const known = roles.get(publisher);
    if (known && at < known.until) return known.person;
    let person: boolean;
    try {
      person = options.isPerson(publisher.org, publisher.user);
    } catch {
      return true; // not remembered: asked again at the next publish
    }
    roles.set(publisher, { person, until: at + ROLE_KNOWN_FOR_MS });
    return person;
  };
  // One line a user and kind of event every 10 s: each refill ended a run, and a steady
  // sender over the rate logged up to 20 lines a second (QA: 185 in 10 s).
  const logBudget = createRefusalLogBudget(now, { perWindow: 1, windowMs: 10_000 });
  const log = (publisher: ClientIdentity, event: string, what: string, text: string) => {
    const { org, user } = publisher;
    const leftOut = logBudget.take(`${org}/${user}/${event}`);
    if (leftOut === null) return;
    logger.warn(
      { event, org, user, what, ratePerSecond, burst, ...(leftOut > 0 && { leftOut }) },
      text,
    );
  };
  return {
    pace(publisher, message, bytes, go, abandoned) {
      if (!PACED_KINDS.has(message.kind) || !isPerson(publisher)) return go(true);
      // Ids hold no "/" (ids.ts): one key per org and user. Typing has a bucket of its own:
      // sent with every message, it spent a third of the burst (QA: 100 messages at once,
      // 31 delivered).
      const key = `${publisher.org}/${publisher.user}`;
      if (message.kind === 'chat-typing') {
        const throttled = () =>
          log(publisher, 'publish_throttled', 'typing', 'typing over the limit: goes nowhere');
        return go(buckets.take(`${key}/typing`, throttled));
      }
      const throttled = () =>
        log(
          publisher,
          'publish_throttled',
          'messages',
          `chat messages or commands over the limit: each waits its turn (at most ${MAX_WAIT_SECONDS} s of them)`,
        );
      const outcome = lines.pace(key, { bytes, go: () => go(true), abandoned }, throttled);
      if (outcome !== 'full') return;
      log(
        publisher,
        'publish_dropped',
        'messages',
        `chat messages or commands over the limit, past ${MAX_WAIT_SECONDS} s of them waiting: go nowhere`,
      );
      go(false);
    },
    close: () => lines.close(),
    get waiting() {
      return lines.waiting;
    },
  };
}
