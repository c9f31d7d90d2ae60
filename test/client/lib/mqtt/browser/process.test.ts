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

  it('runs the ticks queued meanwhile before promise reactions, as Node does', async () => {
    const order: string[] = [];
    nextTick(() => {
      order.push('tick one');
      void Promise.resolve().then(() => order.push('promise from tick one'));
      nextTick(() => order.push('tick queued by tick one'));
    });
    nextTick(() => order.push('tick two'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order).toEqual([
      'tick one',
      'tick two',
      'tick queued by tick one',
      'promise from tick one',
    ]);
  });

  it('runs the other ticks when one throws, and reports the error as uncaught', async () => {
    const order: string[] = [];
    const uncaught: unknown[] = [];
    const onError = (event: ErrorEvent) => {
      event.preventDefault();
      uncaught.push(event.error);
    };
    window.addEventListener('error', onError);
    const onNodeError = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onNodeError);
    try {
      nextTick(() => {
        throw new Error('boom');
      });
      nextTick(() => order.push('after the throw'));
      await new Promise((resolve) => setTimeout(resolve, 5));
    } finally {
      window.removeEventListener('error', onError);
      process.off('uncaughtException', onNodeError);
    }
    expect(order).toEqual(['after the throw']);
    expect(uncaught).toHaveLength(1);
    expect((uncaught[0] as Error).message).toBe('boom');
  });

  it('looks like a browser to the packages that ask', () => {
    expect(browserProcess.browser).toBe(true);
    expect(browserProcess.env).toEqual({});
    expect(browserProcess.version).toBe('');
  });
});
