import { describe, expect, it } from 'vitest';
import {
  mergeCommandLog,
  type CommandLogInput,
} from '../../../../src/client/features/agent-board/lib/command-log';
import { COMMAND_REPLY_WAIT_MS } from '../../../../src/client/features/agent-board/lib/command-outcome';
import type {
  ReceivedReply,
  SentCommand,
} from '../../../../src/client/features/agent-board/stores/agent-commands-store';
import type { LoggedCommand } from '../../../../src/shared/agent-commands-api';

const NOW = 100_000;

const logged = (id: string, sentAt: number, extra: Partial<LoggedCommand> = {}): LoggedCommand => ({
  id,
  command: 'ping',
  from: 'bob',
  sentAt,
  replies: [],
  ...extra,
});

const sent = (id: string, sentAt: number, extra: Partial<SentCommand> = {}): SentCommand =>
  ({
    id,
    agent: 'builder',
    command: 'pause',
    sentAt,
    delivery: 'sent',
    ackedAt: sentAt,
    ...extra,
  }) as SentCommand;

const heard = (
  commandId: string,
  status: ReceivedReply['status'],
  extra: Partial<ReceivedReply> = {},
): ReceivedReply => ({ commandId, status, agent: 'builder', receivedAt: NOW - 1, ...extra });

function merge(input: Partial<CommandLogInput>) {
  return mergeCommandLog({
    agent: 'builder',
    me: 'alice',
    logged: [],
    serverAheadMs: 0,
    sent: {},
    heard: {},
    agentStatus: 'working',
    agentWentOfflineAt: undefined,
    now: NOW,
    ...input,
  });
}

/** Each entry as `id by from: outcome`, newest first. */
const described = (input: Partial<CommandLogInput>) =>
  merge(input).entries.map(({ id, from, outcome }) => {
    const said =
      outcome.kind === 'replied'
        ? `${outcome.reply.status}${outcome.reply.detail ? ` (${outcome.reply.detail})` : ''}`
        : outcome.kind === 'no-reply' || outcome.kind === 'unfinished'
          ? `${outcome.kind}, ${outcome.reason}`
          : outcome.kind;
    return `${id} by ${from}: ${said}`;
  });

describe('mergeCommandLog: the server’s log with this tab’s commands and live replies', () => {
  it.each<[string, Partial<CommandLogInput>, string[]]>([
    [
      'the server’s log alone, judged as this tab’s own commands are',
      {
        logged: [
          logged('c3', NOW - 1_000),
          logged('c2', NOW - 60_000, {
            replies: [{ status: 'accepted', receivedAt: NOW - 59_000 }],
          }),
          logged('c1', NOW - 90_000, { from: 'alice' }),
        ],
      },
      ['c3 by bob: awaiting-reply', 'c2 by bob: accepted', 'c1 by alice: no-reply, timed-out'],
    ],
    [
      'this tab’s commands not logged yet: in the outbox, refused',
      {
        sent: {
          c4: sent('c4', NOW - 10, { delivery: 'pending' }),
          c5: sent('c5', NOW - 20, {
            delivery: 'refused',
            refusal: { by: 'broker', reasonCode: 0x87 },
          }),
          other: sent('other', NOW, { agent: 'crawler' }),
        },
        logged: [logged('c1', NOW - 30_000)],
      },
      ['c4 by alice: pending', 'c5 by alice: refused', 'c1 by bob: no-reply, timed-out'],
    ],
    [
      'a command in both, once: acknowledged when logged, though its PUBACK is still to come',
      {
        sent: { c1: sent('c1', NOW - 10, { delivery: 'pending' }) },
        logged: [logged('c1', NOW - 12, { from: 'alice' })],
      },
      ['c1 by alice: awaiting-reply'],
    ],
    [
      'replies heard live after the log came, each once; another agent’s under the id are not its',
      {
        logged: [
          logged('c1', NOW - 1_000, { replies: [{ status: 'accepted', receivedAt: NOW - 900 }] }),
          logged('c2', NOW - 2_000, { replies: [{ status: 'accepted', receivedAt: NOW - 900 }] }),
        ],
        heard: {
          c1: [heard('c1', 'accepted'), heard('c1', 'done', { detail: 'pong' })],
          c2: [heard('c2', 'accepted'), heard('c2', 'failed', { agent: 'crawler' })],
        },
      },
      ['c1 by bob: done (pong)', 'c2 by bob: accepted'],
    ],
    [
      'an offline agent’s unanswered commands',
      { agentStatus: 'offline', logged: [logged('c1', NOW - 1_000)] },
      ['c1 by bob: no-reply, agent-offline'],
    ],
    [
      'accepted long ago and never finished, or accepted before the agent went offline',
      {
        logged: [
          logged('c2', NOW - 5_000, { replies: [{ status: 'accepted', receivedAt: NOW - 4_000 }] }),
          logged('c1', NOW - 90_000, {
            replies: [{ status: 'accepted', receivedAt: NOW - 89_000 }],
          }),
        ],
        agentWentOfflineAt: NOW - 3_000,
      },
      ['c2 by bob: unfinished, agent-went-offline', 'c1 by bob: unfinished, agent-went-offline'],
    ],
    [
      'accepted long ago and never finished by an agent that did not go offline since',
      {
        logged: [
          logged('c1', NOW - 90_000, {
            replies: [{ status: 'accepted', receivedAt: NOW - 89_000 }],
          }),
        ],
        agentWentOfflineAt: NOW - 100_000,
      },
      ['c1 by bob: unfinished, timed-out'],
    ],
  ])('%s', (_case, input, expected) => {
    expect(described(input)).toEqual(expected);
  });

  it('puts the server’s times on this device’s clock', () => {
    const serverAheadMs = 60_000; // the server's clock is a minute ahead
    const { entries } = merge({
      serverAheadMs,
      logged: [logged('c1', NOW - 2_000 + serverAheadMs)],
      sent: { c2: sent('c2', NOW - 1_000) },
    });
    expect(entries.map((e) => [e.id, e.sentAt])).toEqual([
      ['c2', NOW - 1_000],
      ['c1', NOW - 2_000],
    ]);
    // Not judged unanswered a minute early: the wait runs from when it was routed.
    expect(entries[1]?.outcome).toEqual({
      kind: 'awaiting-reply',
      deadline: NOW - 2_000 + COMMAND_REPLY_WAIT_MS,
    });
  });

  it('puts the time the agent went offline on this device’s clock too', () => {
    const serverAheadMs = 60_000;
    const accepted = { status: 'accepted' as const, receivedAt: NOW - 2_000 + serverAheadMs };
    const outcome = (wentOfflineAt: number) =>
      merge({
        serverAheadMs,
        logged: [logged('c1', NOW - 3_000 + serverAheadMs, { replies: [accepted] })],
        agentWentOfflineAt: wentOfflineAt + serverAheadMs,
      }).entries[0]?.outcome.kind;
    expect(outcome(NOW - 1_000)).toBe('unfinished'); // after it accepted
    expect(outcome(NOW - 2_500)).toBe('accepted'); // before
  });

  it('puts the server’s mark of the agent leaving a command unfinished on this device’s clock, this tab’s commands too', () => {
    const serverAheadMs = -60_000; // the server's clock is a minute behind
    const onServer = (local: number) => local + serverAheadMs;
    // Marked in the acceptance's millisecond (one batch on the server).
    const leftUnfinished = (id: string, sentAt: number) =>
      logged(id, onServer(sentAt), {
        replies: [{ status: 'accepted', receivedAt: onServer(NOW - 2_000) }],
        agentLeftAt: onServer(NOW - 2_000),
      });
    const { entries } = merge({
      serverAheadMs,
      logged: [leftUnfinished('c2', NOW - 2_500), leftUnfinished('c1', NOW - 3_000)],
      sent: { c2: sent('c2', NOW - 2_500) },
    });
    expect(entries.map((e) => [e.id, e.outcome.kind])).toEqual([
      ['c2', 'unfinished'],
      ['c1', 'unfinished'],
    ]);
  });

  it('keeps apart the replies heard to commands it holds none of, the agent’s only', () => {
    const { unmatched } = merge({
      logged: [logged('c1', NOW)],
      heard: {
        c1: [heard('c1', 'accepted')],
        elsewhere: [heard('elsewhere', 'accepted'), heard('elsewhere', 'done')],
        'to-crawler': [heard('to-crawler', 'done', { agent: 'crawler' })],
      },
    });
    expect(unmatched).toEqual([{ commandId: 'elsewhere', latest: heard('elsewhere', 'done') }]);
  });
});
