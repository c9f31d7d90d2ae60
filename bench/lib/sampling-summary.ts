import type { CallFrame, SourcePosition } from './source-positions';

// Sums a V8 sampling heap profile (DevTools' HeapProfiler.stopSampling) by package and by
// function, for the page's allocations (page-allocations.ts) and the server's
// (server-allocations.ts).

const FUNCTIONS_SHOWN = 20;
const PACKAGES_SHOWN = 10;

export interface SamplingNode {
  callFrame: CallFrame;
  selfSize: number;
  children: SamplingNode[];
}

export interface SamplingSummary {
  /** Bytes of every sample in the profile. */
  bytes: number;
  /** The heaviest packages and functions, one line each. */
  lines: string[];
}

export function summariseSampling(
  head: SamplingNode,
  position: (frame: CallFrame) => SourcePosition,
): SamplingSummary {
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let bytes = 0;
  const visit = (node: SamplingNode) => {
    if (node.selfSize > 0) {
      const { name, where } = position(node.callFrame);
      bytes += node.selfSize;
      byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
      byPackage.set(where, (byPackage.get(where) ?? 0) + node.selfSize);
    }
    node.children.forEach(visit);
  };
  visit(head);
  const ranked = (map: Map<string, number>, count: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
  const share = (part: number) => `${((100 * part) / bytes).toFixed(1).padStart(5)} %`;
  const line = ([name, size]: [string, number]) => `${megabytes(size)} ${share(size)}  ${name}`;
  return {
    bytes,
    lines: [
      'by package:',
      ...ranked(byPackage, PACKAGES_SHOWN).map(line),
      'by function:',
      ...ranked(byFunction, FUNCTIONS_SHOWN).map(line),
    ],
  };
}

export const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1).padStart(6)} MB`;
