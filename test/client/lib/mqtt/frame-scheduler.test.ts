import { describe, expect, it, vi } from 'vitest';
import { createFrameBatch } from '../../../../src/client/lib/mqtt/frame-scheduler';

function manualFrames() {
  const frames: Array<() => void> = [];
  return {
    frames,
    schedule: (callback: () => void) => frames.push(callback),
    run: () => frames.splice(0).forEach((frame) => frame()),
  };
}

describe('createFrameBatch', () => {
  it('applies everything added before a frame together, in order, once', () => {
    const { frames, schedule, run } = manualFrames();
    const apply = vi.fn();
    const batch = createFrameBatch<number>(apply, schedule);
    for (let i = 0; i < 5; i++) batch.add(i);
    expect(frames).toHaveLength(1);
    expect(apply).not.toHaveBeenCalled();
    run();
    expect(apply).toHaveBeenCalledTimes(1);
    expect(apply).toHaveBeenCalledWith([0, 1, 2, 3, 4]);

    batch.add(5);
    run();
    expect(apply).toHaveBeenLastCalledWith([5]);
    expect(apply).toHaveBeenCalledTimes(2);
  });

  it('flushes on demand, and the frame scheduled before then applies nothing twice', () => {
    const { frames, schedule, run } = manualFrames();
    const apply = vi.fn();
    const batch = createFrameBatch<string>(apply, schedule);
    batch.add('a');
    batch.flush();
    expect(apply).toHaveBeenCalledWith(['a']);
    batch.flush(); // nothing queued: no empty batch
    run();
    expect(apply).toHaveBeenCalledTimes(1);
    batch.add('b');
    expect(frames).toHaveLength(1); // a new frame, since the last one was used up
    run();
    expect(apply).toHaveBeenLastCalledWith(['b']);
  });
});
