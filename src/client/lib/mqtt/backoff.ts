// Delay before reconnect attempt n (1-based); the last entry repeats. Short first so a
// blip heals quickly, capped so a long outage costs one attempt every half minute.
export const MAX_RECONNECT_DELAY_MS = 30_000;
export const RECONNECT_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, MAX_RECONNECT_DELAY_MS] as const;

// ±30 %: tabs dropped by the same broker restart spread their reconnects out.
export const RECONNECT_JITTER_RATIO = 0.3;

/** random() in [0, 1); 0.5 gives the named delay exactly. */
export function reconnectDelayMs(attempt: number, random: () => number): number {
  const index = Math.min(Math.max(attempt, 1), RECONNECT_DELAYS_MS.length) - 1;
  const base = RECONNECT_DELAYS_MS[index] ?? MAX_RECONNECT_DELAY_MS;
  const jitter = 1 + RECONNECT_JITTER_RATIO * (2 * random() - 1);
  return Math.round(base * jitter);
}
