import { describe, expect, it } from 'vitest';
import {
  createBatchedHistory,
  type HistoryWriter,
} from '../../../src/server/broker/batched-history';
import type { ChatMessage } from '../../../src/shared/schemas';

const message = (id: string): ChatMessage => ({ id, from: 'alice', text: 'hi', sentAt: 1 });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Records what is written and how the writes were grouped into transactions. */
function fakeWriter(failOn?: string) {
  const transactions: string[][] = [];
  let current: string[] | null = null;
  const written: string[] = [];
  const writer: HistoryWriter = {
    chatMessage(_org, room, m) {
      if (m.id === failOn) throw new Error(`bad ${m.id}`);
      (current ?? written).push(`${room}:${m.id}`);
    },
    notification(_org, user, n) {
      (current ?? written).push(`${user}:${n.id}`);
    },
    transaction(work) {
      current = [];
      try {
        work();
        transactions.push(current);
        written.push(...current);
      } finally {
        current = null;
      }
    },
  };
  return { writer, transactions, written };
}

describe('createBatchedHistory', () => {
  it('writes the messages of one event-loop turn in one transaction', async () => {
    const { writer, transactions } = fakeWriter();
    const history = createBatchedHistory(writer, () => {});
    history.chatMessage('demo', 'general', message('m1'));
    history.chatMessage('demo', 'random', message('m2'));
    history.notification('demo', 'bob', { id: 'n1', title: 't', body: 'b', createdAt: 1 });
    expect(transactions).toEqual([]);
    await nextTurn();
    expect(transactions).toEqual([['general:m1', 'random:m2', 'bob:n1']]);
    history.chatMessage('demo', 'general', message('m3'));
    await nextTurn();
    expect(transactions).toHaveLength(2);
  });

  it('falls back to one by one when a batch fails, losing and reporting only the bad one', async () => {
    const { writer, written } = fakeWriter('m2');
    const errors: string[] = [];
    const history = createBatchedHistory(writer, (error) => errors.push((error as Error).message));
    for (const id of ['m1', 'm2', 'm3']) history.chatMessage('demo', 'general', message(id));
    await nextTurn();
    expect(written).toEqual(['general:m1', 'general:m3']);
    expect(errors).toEqual(['bad m2']);
  });

  it('writes what is waiting when flushed', () => {
    const { writer, written } = fakeWriter();
    const history = createBatchedHistory(writer, () => {});
    history.chatMessage('demo', 'general', message('m1'));
    history.flush();
    expect(written).toEqual(['general:m1']);
  });
});
