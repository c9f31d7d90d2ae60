import { describe, expect, it } from 'vitest';
import {
  COMMAND_REPLY_WAIT_MS,
  commandOutcome,
  nextDeadline,
  type CommandOutcome,
  type CommandOutcomeInput,
} from '../../../../src/client/features/agent-board/lib/command-outcome';
import type { ReceivedReply } from '../../../../src/client/features/agent-board/stores/agent-commands-store';

const ACKED_AT = 1_000_000;
const reply = (status: ReceivedReply['status'], detail?: string): ReceivedReply => ({
  commandId: 'c1',
  status,
  detail,
  agent: 'builder',
  receivedAt: ACKED_AT,
});
const sent = { delivery: 'sent', ackedAt: ACKED_AT } as const;
const late = ACKED_AT + COMMAND_REPLY_WAIT_MS;

describe('commandOutcome', () => {
  const cases: [string, CommandOutcomeInput, CommandOutcome][] = [
    [
      'not yet acknowledged: pending, however long it has waited',
      { command: { delivery: 'pending' }, replies: undefined, agentStatus: 'idle', now: late * 2 },
      { kind: 'pending' },
    ],
    [
      'acknowledged just now: waiting for the reply until the deadline',
      { command: sent, replies: undefined, agentStatus: 'working', now: ACKED_AT },
      { kind: 'awaiting-reply', deadline: late },
    ],
    [
      'the last moment before the deadline: still waiting',
      { command: sent, replies: [], agentStatus: 'working', now: late - 1 },
      { kind: 'awaiting-reply', deadline: late },
    ],
    [
      'no reply by the deadline: timed out',
      { command: sent, replies: undefined, agentStatus: 'working', now: late },
      { kind: 'no-reply', reason: 'timed-out' },
    ],
    [
      'an agent that never reported a state times out like any other',
      { command: sent, replies: undefined, agentStatus: undefined, now: late + 5 },
      { kind: 'no-reply', reason: 'timed-out' },
    ],
    [
      'the agent is offline: no reply to expect, said at once',
      { command: sent, replies: undefined, agentStatus: 'offline', now: ACKED_AT },
      { kind: 'no-reply', reason: 'agent-offline' },
    ],
    [
      'an offline agent does not make a queued command fail before it leaves the outbox',
      { command: { delivery: 'pending' }, replies: undefined, agentStatus: 'offline', now: late },
      { kind: 'pending' },
    ],
    [
      'refused by an MQTT 5 broker: refused, whatever the agent’s state or the time',
      {
        command: { delivery: 'refused', refusal: { by: 'broker', reasonCode: 0x87 } },
        replies: undefined,
        agentStatus: 'offline',
        now: late * 2,
      },
      { kind: 'refused', refusal: { by: 'broker', reasonCode: 0x87 } },
    ],
    [
      'a reply wins over the deadline, however late',
      { command: sent, replies: [reply('accepted')], agentStatus: 'working', now: late * 2 },
      { kind: 'replied', reply: reply('accepted') },
    ],
    [
      'a reply wins over an offline state (the agent answered, then left)',
      {
        command: sent,
        replies: [reply('accepted'), reply('done', 'paused')],
        agentStatus: 'offline',
        now: ACKED_AT,
      },
      { kind: 'replied', reply: reply('done', 'paused') },
    ],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    expect(commandOutcome(input)).toEqual(expected);
  });
});

describe('nextDeadline', () => {
  it('is the earliest deadline still awaited, and undefined when nothing waits', () => {
    expect(
      nextDeadline([
        { kind: 'awaiting-reply', deadline: 300 },
        { kind: 'no-reply', reason: 'timed-out' },
        { kind: 'awaiting-reply', deadline: 200 },
        { kind: 'pending' },
      ]),
    ).toBe(200);
    expect(nextDeadline([{ kind: 'pending' }, { kind: 'replied', reply: reply('done') }])).toBe(
      undefined,
    );
  });
});
