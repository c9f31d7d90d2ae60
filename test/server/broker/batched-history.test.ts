import { describe, expect, it } from 'vitest';
import {
  createBatchedHistory,
  type ChatListener,
  type HistoryWriter,
} from '../../../src/server/broker/batched-history';
import type { HistoryEntry } from '../../../src/server/broker/record-history';
import type {
  AgentCommand,
  AgentReply,
  AppNotification,
  ChatMessage,
} from '../../../src/shared/schemas';

const message = (id: string, text = 'hi'): ChatMessage => ({ id, from: 'alice', text, sentAt: 1 });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Records what is written and how the writes were grouped into transactions. */
function fakeWriter(failOn?: string) {
  const transactions: string[][] = [];
  let current: string[] | null = null;
  const written: string[] = [];
  // What is committed, by room:id; a transaction's rows join it when it commits.
  type Kept = ChatMessage | AppNotification | AgentCommand | AgentReply;
  const rows = new Map<string, Kept>();
  let uncommitted: [string, Kept][] | null = null;
  const keep = (key: string, value: Kept) => {
    const taken = rows.has(key) || uncommitted?.some(([k]) => k === key) === true;
    if (taken) return false;
    if (uncommitted) uncommitted.push([key, value]);
    else rows.set(key, value);
    (current ?? written).push(key);
    return true;
  };
  const writer: HistoryWriter = {
    chatMessage(_org, room, m) {
      if (m.id === failOn) throw new Error(`bad ${m.id}`);
      return keep(`${room}:${m.id}`, m);
    },
    notification: (_org, user, n) => keep(`${user}:${n.id}`, n),
    agentCommand: (_org, agent, c) => keep(`${agent}:${c.id}`, c),
    agentReply: (_org, agent, r) => keep(`${agent}:${r.commandId}:${r.status}`, r),
    agentLeft: (_org, agent) => void (current ?? written).push(`${agent}:left`),
    holdsChatMessage: (_org, room, m) =>
      JSON.stringify(rows.get(`${room}:${m.id}`)) === JSON.stringify(m),
    holdsNotification: (_org, user, n) =>
      JSON.stringify(rows.get(`${user}:${n.id}`)) === JSON.stringify(n),
    holdsAgentCommand: (_org, agent, c) =>
      JSON.stringify(rows.get(`${agent}:${c.id}`)) === JSON.stringify(c),
    transaction(work) {
      current = [];
      uncommitted = [];
      try {
        work();
        transactions.push(current);
        written.push(...current);
        for (const [key, value] of uncommitted) rows.set(key, value);
      } finally {
        current = null;
        uncommitted = null;
      }
    },
  };
  return { writer, transactions, written };
}

/** An entry for #general; `told` collects what its onIdKept hears (resent or not). */
function chatEntry(m: ChatMessage, told?: string[]): HistoryEntry {
  return {
    org: 'demo',
    message: { kind: 'chat-message', room: 'general', value: m },
    packet: null,
    publisher: { org: 'demo', user: 'alice' },
    will: false,
    onIdKept: told
      ? (entry, resent) =>
          told.push(`${(entry.message.value as ChatMessage).id}:${resent ? 'resent' : 'other'}`)
      : null,
  };
}

describe('createBatchedHistory', () => {
  it('writes the messages of one event-loop turn in one transaction', async () => {
    const { writer, transactions } = fakeWriter();
    const history = createBatchedHistory(writer, () => {});
    history.record(chatEntry(message('m1')));
    history.record({
      ...chatEntry(message('m2')),
      message: { kind: 'chat-message', room: 'random', value: message('m2') },
    });
    history.record({
      ...chatEntry(message('n/a')),
      message: {
        kind: 'notification',
        user: 'bob',
        value: { id: 'n1', title: 't', body: 'b', createdAt: 1 },
      },
    });
    expect(transactions).toEqual([]);
    await nextTurn();
    expect(transactions).toEqual([['general:m1', 'random:m2', 'bob:n1']]);
    history.record(chatEntry(message('m3')));
    await nextTurn();
    expect(transactions).toHaveLength(2);
  });

  it('writes an agent’s commands and replies in the same transaction', async () => {
    const { writer, transactions } = fakeWriter();
    const history = createBatchedHistory(writer, () => {});
    const command = { id: 'c1', command: 'pause', from: 'alice' };
    history.record(chatEntry(message('m1')));
    history.record({
      ...chatEntry(message('n/a')),
      message: { kind: 'agent-inbox', agent: 'agent-01', value: command },
    });
    history.record({
      ...chatEntry(message('n/a')),
      message: {
        kind: 'agent-replies',
        agent: 'agent-01',
        value: { commandId: 'c1', status: 'accepted' },
      },
    });
    await nextTurn();
    expect(transactions).toEqual([['general:m1', 'agent-01:c1', 'agent-01:c1:accepted']]);
  });

  it('an agent’s offline state: marks its log after the replies before it, in the same batch', () => {
    const { writer, transactions } = fakeWriter();
    const history = createBatchedHistory(writer, () => {});
    const base = chatEntry(message('n/a'));
    history.record({
      ...base,
      message: {
        kind: 'agent-replies',
        agent: 'agent-01',
        value: { commandId: 'x1', status: 'accepted' },
      },
    });
    history.record({
      ...base,
      message: {
        kind: 'agent-state',
        agent: 'agent-01',
        value: { status: 'offline', updatedAt: 1 },
      },
    });
    history.flush();
    expect(transactions).toEqual([['agent-01:x1:accepted', 'agent-01:left']]);
  });

  it('falls back to one by one when a batch fails, losing and reporting only the bad one', async () => {
    const { writer, written } = fakeWriter('m2');
    const errors: string[] = [];
    const history = createBatchedHistory(writer, (error) => errors.push((error as Error).message));
    for (const id of ['m1', 'm2', 'm3']) history.record(chatEntry(message(id)));
    await nextTurn();
    expect(written).toEqual(['general:m1', 'general:m3']);
    expect(errors).toEqual(['bad m2']);
  });

  it('writes what is waiting when flushed', () => {
    const { writer, written } = fakeWriter();
    const history = createBatchedHistory(writer, () => {});
    history.record(chatEntry(message('m1')));
    history.flush();
    expect(written).toEqual(['general:m1']);
  });
});

describe('an entry whose id is kept already', () => {
  it('is told so once its batch is committed, and whether it is the same message again', () => {
    const { writer, written } = fakeWriter();
    const told: string[] = [];
    const history = createBatchedHistory(writer, () => {});
    history.record(chatEntry(message('m1'), told));
    history.flush();
    expect(told).toEqual([]);
    // In one batch: the resend, another message under the id, and one under a fresh id.
    history.record(chatEntry(message('m1'), told));
    history.record(chatEntry(message('m1', 'EPHEMERAL'), told));
    history.record(chatEntry(message('m2'), told));
    history.record(chatEntry(message('m2'), told)); // a resend of one in the same batch
    history.flush();
    expect(written).toEqual(['general:m1', 'general:m2']);
    expect(told).toEqual(['m1:resent', 'm1:other', 'm2:resent']);
  });

  it('a command: is told whether it is the same command again, as a chat message is', () => {
    const { writer, written } = fakeWriter();
    const told: string[] = [];
    const history = createBatchedHistory(writer, () => {});
    const commandEntry = (value: AgentCommand): HistoryEntry => ({
      ...chatEntry(message('n/a')),
      message: { kind: 'agent-inbox', agent: 'agent-01', value },
      onIdKept: (entry, resent) =>
        told.push(`${(entry.message.value as AgentCommand).id}:${resent ? 'resent' : 'other'}`),
    });
    const ping = { id: 'x1', command: 'ping', from: 'alice' };
    history.record(commandEntry(ping));
    history.record(commandEntry(ping)); // a resend
    history.record(commandEntry({ id: 'x1', command: 'cancel', from: 'mallory' }));
    history.flush();
    expect(written).toEqual(['agent-01:x1']);
    expect(told).toEqual(['x1:resent', 'x1:other']);
  });

  it('is told once, by the one-by-one writes, when its batch failed', () => {
    const { writer } = fakeWriter('bad');
    const told: string[] = [];
    const errors: unknown[] = [];
    const history = createBatchedHistory(writer, (error) => errors.push(error));
    history.record(chatEntry(message('m1'), told));
    history.record(chatEntry(message('m1', 'EPHEMERAL'), told));
    history.record(chatEntry(message('bad'), told));
    history.flush();
    expect(told).toEqual(['m1:other']);
    expect(errors).toHaveLength(1);
  });
});

describe('chat messages written for the first time (mentions)', () => {
  /** What the listener hears, and whether the batch was committed when it heard it. */
  function listener(transactions: string[][]) {
    const heard: string[] = [];
    const chat: ChatListener = {
      written: (org, room, m) =>
        heard.push(`written ${org}/${room}:${m.id} after ${transactions.length} commits`),
      rolledBack: () => heard.push('rolled back'),
      committed: () => heard.push(`committed (${transactions.length})`),
    };
    return { heard, chat };
  }

  it('are told in the batch’s transaction, then the commit; a resend and other kinds not', () => {
    const { writer, transactions } = fakeWriter();
    const { heard, chat } = listener(transactions);
    const history = createBatchedHistory(writer, () => {}, chat);
    history.record(chatEntry(message('m1')));
    history.record(chatEntry(message('m1'), [])); // the same again, in the same batch
    history.record(chatEntry(message('m1', 'other text'), [])); // another under its id
    history.record({
      ...chatEntry(message('n/a')),
      message: {
        kind: 'notification',
        user: 'bob',
        value: { id: 'n1', title: 't', body: 'b', createdAt: 1 },
      },
    });
    history.flush();
    history.record(chatEntry(message('m1'))); // from the published hook: no onIdKept
    history.record(chatEntry(message('m2')));
    history.flush();
    expect(heard).toEqual([
      'written demo/general:m1 after 0 commits',
      'committed (1)',
      'written demo/general:m2 after 1 commits',
      'committed (2)',
    ]);
  });

  it('a failed batch: rolled back, then each written one by one, then committed', () => {
    const { writer, transactions } = fakeWriter('bad');
    const { heard, chat } = listener(transactions);
    const history = createBatchedHistory(writer, () => {}, chat);
    history.record(chatEntry(message('m1')));
    history.record(chatEntry(message('bad')));
    history.record(chatEntry(message('m2')));
    history.flush();
    expect(heard).toEqual([
      'written demo/general:m1 after 0 commits', // in the transaction that then failed
      'rolled back',
      'written demo/general:m1 after 0 commits',
      'written demo/general:m2 after 0 commits',
      'committed (0)',
    ]);
  });
});
