import type { AedesPublishPacket, Client, PublishPacket } from 'aedes';
import { getIdentity } from './client-identity';
import { DISCARD_TOPIC } from './mount-point';

// Rates average the last 10 s: steady enough for a small chart, recent enough that a burst
// shows within a sample or two.
export const RATE_WINDOW_MS = 10_000;
const SAMPLE_INTERVAL_MS = 1_000;

export interface MessageRates {
  inPerSecond: number;
  outPerSecond: number;
}

interface Totals {
  in: number;
  out: number;
}

/**
 * Messages in (publishes the broker accepted) and out (deliveries to subscribers) per org.
 * Counting is one map lookup and an increment on the hot path; rates come from snapshots
 * of the totals taken once a second, so asking for them costs nothing either.
 */
export class MessageCounters {
  private readonly totals = new Map<string, Totals>();
  private readonly samples: { at: number; totals: Map<string, Totals> }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  countIn(org: string): void {
    this.totalsOf(org).in++;
  }

  countOut(org: string): void {
    this.totalsOf(org).out++;
  }

  rates(org: string): MessageRates {
    const oldest = this.samples[0];
    const current = this.totals.get(org) ?? { in: 0, out: 0 };
    const then = oldest?.totals.get(org) ?? { in: 0, out: 0 };
    const seconds = oldest ? (this.now() - oldest.at) / 1_000 : 0;
    if (seconds <= 0) return { inPerSecond: 0, outPerSecond: 0 };
    return {
      inPerSecond: round((current.in - then.in) / seconds),
      outPerSecond: round((current.out - then.out) / seconds),
    };
  }

  /** Wraps the authorizePublish hook: an accepted publish is a message in. */
  countingPublishes(
    authorize: (
      client: Client | null,
      packet: PublishPacket,
      done: (e?: Error | null) => void,
    ) => void,
  ) {
    return (client: Client | null, packet: PublishPacket, done: (e?: Error | null) => void) => {
      authorize(client, packet, (error) => {
        const org = getIdentity(client)?.org;
        // A refused publish is acknowledged but routed to DISCARD_TOPIC: not a message in.
        // One dropped for a kept id does count when that is found out after this: at QoS 1
        // and 2 (record-history.ts writes those later); at QoS 0 it is found out before.
        if (!error && org !== undefined && packet.topic !== DISCARD_TOPIC) this.countIn(org);
        done(error);
      });
    };
  }

  /** Wraps the authorizeForward hook: a packet it lets through is a message out. */
  countingForwards(
    forward: (client: Client, packet: AedesPublishPacket) => AedesPublishPacket | null,
  ) {
    return (client: Client, packet: AedesPublishPacket): AedesPublishPacket | null => {
      const forwarded = forward(client, packet);
      const org = getIdentity(client)?.org;
      if (forwarded && org !== undefined) this.countOut(org);
      return forwarded;
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private totalsOf(org: string): Totals {
    let totals = this.totals.get(org);
    if (!totals) {
      totals = { in: 0, out: 0 };
      this.totals.set(org, totals);
    }
    return totals;
  }

  private sample(): void {
    const copy = new Map<string, Totals>();
    for (const [org, totals] of this.totals) copy.set(org, { ...totals });
    this.samples.push({ at: this.now(), totals: copy });
    while (this.samples.length > RATE_WINDOW_MS / SAMPLE_INTERVAL_MS + 1) this.samples.shift();
  }
}

const round = (perSecond: number) => Math.round(perSecond * 10) / 10;
