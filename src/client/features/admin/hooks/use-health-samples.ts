import { useState } from 'react';
import { useHealth } from '../api/get-health';
import { appendSample, type HealthSample } from '../lib/health-samples';

/**
 * The health endpoint polled every 2 s, with the last samples kept for the charts. A
 * sample is taken per answer (dataUpdatedAt), even when the figures did not change: a flat
 * line is information too.
 */
export function useHealthSamples() {
  const query = useHealth();
  const [samples, setSamples] = useState<HealthSample[]>([]);
  const [takenAt, setTakenAt] = useState(0);

  // Derived during render from the query's latest answer, as React documents for state
  // that follows a changing input: no effect, no extra paint with stale charts.
  if (query.data && query.dataUpdatedAt !== takenAt) {
    setTakenAt(query.dataUpdatedAt);
    setSamples(appendSample(samples, { at: query.dataUpdatedAt, health: query.data }));
  }
  return { query, samples };
}
