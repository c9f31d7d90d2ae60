import { describe, expect, it } from 'vitest';
import type { BrokerHealth } from '../../../../src/client/features/admin/api/get-health';
import {
  appendSample,
  MAX_HEALTH_SAMPLES,
} from '../../../../src/client/features/admin/lib/health-samples';
import { sparklinePoints } from '../../../../src/client/features/admin/lib/sparkline-points';

describe('sparklinePoints', () => {
  it.each<[string, number[], number, string]>([
    ['no values', [], 5, ''],
    ['one value at the right edge, on top', [3], 5, '100,0'],
    ['zeros lie on the bottom edge', [0, 0], 5, '75,40 100,40'],
    ['scaled to the largest value', [0, 2, 4], 5, '50,40 75,20 100,0'],
    ['a full window spans the width', [1, 1, 1, 1, 1], 5, '0,0 25,0 50,0 75,0 100,0'],
  ])('%s', (_name, values, slots, expected) => {
    expect(sparklinePoints(values, 100, 40, slots)).toBe(expected);
  });
});

describe('appendSample', () => {
  const health = {} as BrokerHealth;

  it('keeps the newest samples, oldest first', () => {
    let samples = appendSample([], { at: 1, health });
    samples = appendSample(samples, { at: 2, health });
    expect(samples.map((s) => s.at)).toEqual([1, 2]);
  });

  it(`holds at most ${MAX_HEALTH_SAMPLES}`, () => {
    let samples = appendSample([], { at: 0, health });
    for (let at = 1; at <= MAX_HEALTH_SAMPLES + 5; at++) {
      samples = appendSample(samples, { at, health });
    }
    expect(samples).toHaveLength(MAX_HEALTH_SAMPLES);
    expect(samples[0]?.at).toBe(6);
    expect(samples.at(-1)?.at).toBe(MAX_HEALTH_SAMPLES + 5);
  });
});
