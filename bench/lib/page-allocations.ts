import type { CDPSession } from 'playwright-core';
import { megabytes, summariseSampling } from './sampling-summary';
import { sourcePositions } from './source-positions';

// Where the page allocates what outlives the young generation. V8 copies an object that
// survives two minor collections into the old generation, which only a major collection
// frees; in bench:page most of what is there at each major collection is garbage by then
// (heap 15–34 MB before, 7–15 MB after), and the collection's final pause is the page's
// long task. DevTools' sampling heap profiler can keep the samples of objects that a minor
// collection freed out (includeObjectsCollectedByMinorGC: false) and those a major one
// freed in: what is left is every sampled allocation that survived a minor collection
// (reached the old generation) or was still live at the end, by the function that
// allocated it. That includes what is meant to stay, such as the store's messages.
// Sampling costs the page time: do not read other figures of a run with it.

const SAMPLE_EVERY_BYTES = 16 * 1024;

export async function startAllocations(session: CDPSession): Promise<void> {
  await session.send('HeapProfiler.enable');
  await session.send('HeapProfiler.startSampling', {
    samplingInterval: SAMPLE_EVERY_BYTES,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  });
}

/** Stops sampling and sums what outlived the young generation by function and package. */
export async function stopAllocations(session: CDPSession, root: string): Promise<string[]> {
  const { profile } = await session.send('HeapProfiler.stopSampling');
  const { bytes, lines } = summariseSampling(profile.head, sourcePositions(root));
  return [
    `survived a minor collection or still live: ${megabytes(bytes).trim()} (sampled every ${SAMPLE_EVERY_BYTES / 1024} KiB)`,
    ...lines,
  ];
}
