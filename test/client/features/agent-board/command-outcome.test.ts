import { describe, expect, it } from 'vitest';
import {
  COMMAND_REPLY_WAIT_MS,
  COMMAND_RESULT_WAIT_MS,
  commandOutcome,
  nextDeadline,
  type CommandOutcome,
  type CommandOutcomeInput,
} from '../../../../src/client/features/agent-board/lib/command-outcome';
import type { ReceivedReply } from '../../../../src/client/features/agent-board/stores/agent-commands-store';

const ACKED_AT = 1_000_000;
const reply = (
  status: ReceivedReply['status'],
  detail?: string,
  receivedAt = ACKED_AT,
): ReceivedReply => ({
  commandId: 'c1',
  status,
  detail,
  agent: 'builder',
  receivedAt,
});
const sent = { delivery: 'sent', ackedAt: ACKED_AT } as const;
const late = ACKED_AT + COMMAND_REPLY_WAIT_MS;
const ACCEPTED_AT = ACKED_AT + 500;
const accepted = reply('accepted', undefined, ACCEPTED_AT);
const resultDue = ACCEPTED_AT + COMMAND_RESULT_WAIT_MS;

const input = (patch: Partial<CommandOutcomeInput>): CommandOutcomeInput => ({
  command: sent,
  replies: undefined,
  agentStatus: 'working',
  agentWentOfflineAt: undefined,
  agentLeftAt: undefined,
  now: ACKED_AT,
  ...patch,
});

describe('commandOutcome', () => {
  const cases: [string, CommandOutcomeInput, CommandOutcome][] = [
    [
      'not yet acknowledged: pending, however long it has waited',
      input({ command: { delivery: 'pending' }, agentStatus: 'idle', now: late * 2 }),
      { kind: 'pending' },
    ],
    [
      'acknowledged just now: waiting for the reply until the deadline',
      input({}),
      { kind: 'awaiting-reply', deadline: late },
    ],
    [
      'the last moment before the deadline: still waiting',
      input({ replies: [], now: late - 1 }),
      { kind: 'awaiting-reply', deadline: late },
    ],
    [
      'no reply by the deadline: timed out',
      input({ now: late }),
      { kind: 'no-reply', reason: 'timed-out' },
    ],
    [
      'an agent that never reported a state times out like any other',
      input({ agentStatus: undefined, now: late + 5 }),
      { kind: 'no-reply', reason: 'timed-out' },
    ],
    [
      'the agent is offline: no reply to expect, said at once',
      input({ agentStatus: 'offline', agentWentOfflineAt: ACKED_AT - 1 }),
      { kind: 'no-reply', reason: 'agent-offline' },
    ],
    [
      'an offline agent does not make a queued command fail before it leaves the outbox',
      input({ command: { delivery: 'pending' }, agentStatus: 'offline', now: late }),
      { kind: 'pending' },
    ],
    [
      'refused by an MQTT 5 broker: refused, whatever the agent’s state or the time',
      input({
        command: { delivery: 'refused', refusal: { by: 'broker', reasonCode: 0x87 } },
        agentStatus: 'offline',
        now: late * 2,
      }),
      { kind: 'refused', refusal: { by: 'broker', reasonCode: 0x87 } },
    ],
    [
      'a reply wins over the deadline, however late',
      input({ replies: [reply('accepted', undefined, late * 2)], now: late * 2 }),
      {
        kind: 'accepted',
        reply: reply('accepted', undefined, late * 2),
        deadline: late * 2 + COMMAND_RESULT_WAIT_MS,
      },
    ],
    [
      'a result wins over an offline state (the agent answered, then left)',
      input({
        replies: [accepted, reply('done', 'paused')],
        agentStatus: 'offline',
        agentWentOfflineAt: ACCEPTED_AT + 1,
      }),
      { kind: 'replied', reply: reply('done', 'paused') },
    ],
    [
      'a result wins over an accepted heard after it (a redelivery)',
      input({ replies: [reply('failed', 'no'), accepted], now: resultDue * 2 }),
      { kind: 'replied', reply: reply('failed', 'no') },
    ],
    [
      'accepted: its result is waited for until the deadline',
      input({ replies: [accepted], now: resultDue - 1 }),
      { kind: 'accepted', reply: accepted, deadline: resultDue },
    ],
    [
      'accepted, and no result by the deadline: unfinished, timed out',
      input({ replies: [accepted], now: resultDue }),
      { kind: 'unfinished', reply: accepted, reason: 'timed-out' },
    ],
    [
      'accepted, then the agent went offline: unfinished, said at once',
      input({ replies: [accepted], agentStatus: 'offline', agentWentOfflineAt: ACCEPTED_AT + 1 }),
      { kind: 'unfinished', reply: accepted, reason: 'agent-went-offline' },
    ],
    [
      'accepted, and the agent is back from going offline since, without a result: still unfinished',
      input({ replies: [accepted], agentStatus: 'idle', agentWentOfflineAt: ACCEPTED_AT + 1 }),
      { kind: 'unfinished', reply: accepted, reason: 'agent-went-offline' },
    ],
    [
      'accepted after the agent last went offline (an offline state it has come back from)',
      input({ replies: [accepted], agentStatus: 'offline', agentWentOfflineAt: ACCEPTED_AT - 1 }),
      { kind: 'accepted', reply: accepted, deadline: resultDue },
    ],
    [
      'accepted, and the server saw the agent leave it unfinished (a page opened since): unfinished',
      input({ replies: [accepted], agentStatus: 'idle', agentLeftAt: ACCEPTED_AT + 1 }),
      { kind: 'unfinished', reply: accepted, reason: 'agent-went-offline' },
    ],
    [
      'the server’s mark in the acceptance’s millisecond (one batch) counts too',
      input({ replies: [accepted], agentLeftAt: ACCEPTED_AT }),
      { kind: 'unfinished', reply: accepted, reason: 'agent-went-offline' },
    ],
    [
      'accepted again after the server’s mark (the agent back at it): its result is waited for',
      input({ replies: [accepted], agentLeftAt: ACCEPTED_AT - 1 }),
      { kind: 'accepted', reply: accepted, deadline: resultDue },
    ],
    [
      'a result wins over the server’s mark',
      input({ replies: [accepted, reply('done', 'paused')], agentLeftAt: ACCEPTED_AT + 1 }),
      { kind: 'replied', reply: reply('done', 'paused') },
    ],
  ];

  it.each(cases)('%s', (_name, given, expected) => {
    expect(commandOutcome(given)).toEqual(expected);
  });
});

describe('nextDeadline', () => {
  it('is the earliest deadline still awaited, a reply’s or a result’s, and undefined when nothing waits', () => {
    expect(
      nextDeadline([
        { kind: 'awaiting-reply', deadline: 300 },
        { kind: 'no-reply', reason: 'timed-out' },
        { kind: 'awaiting-reply', deadline: 200 },
        { kind: 'pending' },
      ]),
    ).toBe(200);
    expect(
      nextDeadline([
        { kind: 'awaiting-reply', deadline: 300 },
        { kind: 'accepted', reply: accepted, deadline: 250 },
      ]),
    ).toBe(250);
    expect(
      nextDeadline([
        { kind: 'pending' },
        { kind: 'replied', reply: reply('done') },
        { kind: 'unfinished', reply: accepted, reason: 'timed-out' },
      ]),
    ).toBe(undefined);
  });
});
