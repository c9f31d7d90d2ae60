import type { BrokerHealth } from '../api/get-health';

// Two minutes of history at one poll every 2 s: enough to see a burst and its tail.
export const MAX_HEALTH_SAMPLES = 60;

export interface HealthSample {
  /** When the answer arrived (ms since the epoch). */
  at: number;
  health: BrokerHealth;
}

/** The newest `max` samples, oldest first. */
export function appendSample(
  samples: readonly HealthSample[],
  sample: HealthSample,
  max = MAX_HEALTH_SAMPLES,
): HealthSample[] {
  const next = [...samples, sample];
  return next.length > max ? next.slice(next.length - max) : next;
}
