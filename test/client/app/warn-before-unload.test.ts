import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useWarnBeforeUnloadWithUnsent } from '../../../src/client/app/use-warn-before-unload';
import { Outbox } from '../../../src/client/lib/mqtt/outbox';

const leavePage = () => {
  const event = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(event);
  return { asked: event.defaultPrevented };
};

const entry = {
  id: 'm1',
  topic: 'chat/general/messages',
  payload: '{}',
  qos: 1 as const,
  retain: false,
};

describe('leaving the page with messages unsent', () => {
  it('asks first while the outbox holds one, and not once it is sent', () => {
    const outbox = new Outbox(null);
    renderHook(() => useWarnBeforeUnloadWithUnsent(outbox));
    expect(leavePage()).toEqual({ asked: false });
    outbox.add(entry);
    expect(leavePage()).toEqual({ asked: true });
    outbox.acknowledge(entry.id);
    expect(leavePage()).toEqual({ asked: false });
  });

  it('asks nothing once the workspace is gone (signed out)', () => {
    const outbox = new Outbox(null);
    outbox.add(entry);
    const { unmount } = renderHook(() => useWarnBeforeUnloadWithUnsent(outbox));
    unmount();
    expect(leavePage()).toEqual({ asked: false });
  });
});
