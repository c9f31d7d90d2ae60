import { Session } from 'node:inspector/promises';
import { summariseSampling, type SamplingNode, type SamplingSummary } from './sampling-summary';
import { nodePosition } from './source-positions';

// Everything the server process allocates while it runs, by function and package: V8's
// sampling heap profiler, keeping the samples of objects the collector has freed since. What
// the young generation collects and how often it runs follows from this (bench:page's
// `--serverAllocations`). Runs inside the server's process (bench/servers/switchboard-server.ts).
// Sampling costs the server time: read no other figure of a run with it.

const SAMPLE_EVERY_BYTES = 4 * 1024;

/** Starts sampling; the function it resolves to stops it and sums the samples up. */
export async function startServerAllocations(): Promise<() => Promise<SamplingSummary>> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: SAMPLE_EVERY_BYTES,
    includeObjectsCollectedByMinorGC: true,
    includeObjectsCollectedByMajorGC: true,
  });
  return async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    return summariseSampling(profile.head as SamplingNode, nodePosition);
  };
}
