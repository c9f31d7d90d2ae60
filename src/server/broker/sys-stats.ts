import type { Aedes } from 'aedes';
import type { ClientIdentity } from './client-identity';
import type { MessageRates } from './message-counters';
import { mountTopic } from './mount-point';

export const SYS_STATS_INTERVAL_MS = 10_000; // admins' dashboards refresh at this pace
const SYS_STATS_DEBOUNCE_MS = 250; // a burst of connects yields one update

/**
 * Publishes each org's own broker statistics under its `$SYS/broker/…` (retained), so an
 * org's admin sees its connections and nothing of any other org's.
 */
export function startSysStats(
  aedes: Aedes,
  connected: () => Iterable<ClientIdentity>,
  startedAt: number,
  rates: (org: string) => MessageRates = () => ({ inPerSecond: 0, outPerSecond: 0 }),
) {
  const publish = () => {
    const perOrg = new Map<string, number>();
    for (const identity of connected())
      perOrg.set(identity.org, (perOrg.get(identity.org) ?? 0) + 1);
    const uptimeSeconds = Math.round((Date.now() - startedAt) / 1_000);
    for (const [org, clients] of perOrg) {
      const { inPerSecond, outPerSecond } = rates(org);
      for (const [name, value] of [
        ['clients/connected', clients],
        ['uptime', uptimeSeconds],
        ['load/messages/received/per-second', inPerSecond],
        ['load/messages/sent/per-second', outPerSecond],
      ] as const) {
        aedes.publish(
          {
            cmd: 'publish',
            topic: mountTopic(org, `$SYS/broker/${name}`),
            payload: Buffer.from(String(value)),
            qos: 0,
            retain: true,
            dup: false,
          },
          () => {},
        );
      }
    }
  };
  const timer = setInterval(publish, SYS_STATS_INTERVAL_MS);
  timer.unref();
  let pending: NodeJS.Timeout | null = null;
  return {
    /**
     * Connections or $SYS subscriptions changed: publish once things settle rather than at
     * the next interval. Each call moves the round later, so a round scheduled before a
     * subscription completed never stands in for one after it.
     */
    changed() {
      if (pending) clearTimeout(pending);
      pending = setTimeout(() => {
        pending = null;
        publish();
      }, SYS_STATS_DEBOUNCE_MS);
    },
    stop() {
      clearInterval(timer);
      if (pending) clearTimeout(pending);
    },
  };
}
