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
});
