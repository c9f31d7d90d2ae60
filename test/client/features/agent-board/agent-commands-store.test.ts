import { describe, expect, it } from 'vitest';
import { useAgentCommandsStore } from '../../../../src/client/features/agent-board/stores/agent-commands-store';

const store = () => useAgentCommandsStore.getState();

describe('agent commands store', () => {
  it('records when the broker acknowledged a command, once', () => {
    store().addCommand({
      id: 'c1',
      agent: 'builder',
      command: 'pause',
      sentAt: 1_000,
      delivery: 'pending',
    });
    store().markSent('c1', 4_000);
    expect(store().commands.c1).toMatchObject({ delivery: 'sent', sentAt: 1_000, ackedAt: 4_000 });
    // A second PUBACK (a resend after reconnecting) does not restart the wait for a reply.
    store().markSent('c1', 9_000);
    expect(store().commands.c1).toMatchObject({ ackedAt: 4_000 });
  });

  it('marks a pending command refused, and leaves one already acknowledged as it is', () => {
    for (const id of ['c2', 'c3']) {
      store().addCommand({
        id,
        agent: 'builder',
        command: 'ping',
        sentAt: 1_000,
        delivery: 'pending',
      });
    }
    store().markSent('c3', 2_000);
    const refusal = { by: 'broker', reasonCode: 0x87 } as const;
    store().markRefused('c2', refusal);
    store().markRefused('c3', refusal);
    store().markRefused('not-a-command', refusal);
    expect(store().commands.c2).toMatchObject({ delivery: 'refused', refusal });
    expect(store().commands.c3).toMatchObject({ delivery: 'sent', ackedAt: 2_000 });
    expect(store().commands['not-a-command']).toBeUndefined();
  });
});
