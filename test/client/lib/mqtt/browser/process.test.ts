import { describe, expect, it } from 'vitest';
import browserProcess, { nextTick } from '../../../../../src/client/lib/mqtt/browser/process';

describe('the browser build’s process', () => {
  it('runs nextTick callbacks with their arguments, in order, before the next task', async () => {
    const order: string[] = [];
    setTimeout(() => order.push('next task'), 0);
    nextTick((a: string, b: number) => order.push(`tick ${a} ${b}`), 'one', 1);
    browserProcess.nextTick(() => {
      order.push('tick two');
      nextTick(() => order.push('tick queued by a tick'));
    });
    order.push('sync');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order).toEqual(['sync', 'tick one 1', 'tick two', 'tick queued by a tick', 'next task']);
  });

  it('looks like a browser to the packages that ask', () => {
    expect(browserProcess.browser).toBe(true);
    expect(browserProcess.env).toEqual({});
    expect(browserProcess.version).toBe('');
  });
});
