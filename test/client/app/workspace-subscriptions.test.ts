import { describe, expect, it } from 'vitest';
import { workspaceSubscriptions } from '../../../src/client/app/create-workspace-connection';

describe('workspaceSubscriptions', () => {
  const byFilter = new Map(workspaceSubscriptions('alice').map((s) => [s.filter, s.qos]));

  it('queues what must not be missed while away', () => {
    expect(byFilter.get('chat/+/+')).toBe(1);
    expect(byFilter.get('notifications/alice')).toBe(1);
    expect(byFilter.get('agents/+/replies')).toBe(1);
  });

  it('takes last-known states at QoS 0: retained copies arrive on every subscribe', () => {
    expect(byFilter.get('agents/+/state')).toBe(0);
    expect(byFilter.get('presence/+/+')).toBe(0);
  });

  it('reads only the user’s own notifications', () => {
    expect([...byFilter.keys()].filter((f) => f.startsWith('notifications/'))).toEqual([
      'notifications/alice',
    ]);
  });
});
