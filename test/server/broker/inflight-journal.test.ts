import { spawn } from 'node:child_process';
import { serialize } from 'node:v8';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Level } from 'level';
import { levelJournal, requeueJournaled } from '../../../src/server/broker/inflight-journal';
import { OUTGOING_JOURNAL_AFTER_MS } from '../../../src/server/broker/outgoing-cache';
import {
  openBrokerPersistence,
  type BrokerPersistence,
} from '../../../src/server/broker/persistence';
import { makeDataDir } from '../support/test-server';

// A crash, for real: a child process holds QoS 1 messages in memory for connected
// persistent sessions, lets them age into the journal, and kills itself with SIGKILL (no
// shutdown, nothing flushed). The broker's persistence, opened again on the same LevelDB
// files, must queue them for the sessions that had not acknowledged them.
const REPO_ROOT = path.join(import.meta.dirname, '../../..');
const CHILD_TIMEOUT_MS = 30_000;

const CRASHING_BROKER = `
  import { openBrokerPersistence } from './src/server/broker/persistence.ts';
  const dataDir = process.argv.at(-1);
  const persistence = openBrokerPersistence(dataDir, (error) => console.error(error));
  const connected = { bob: { closed: false }, carol: { closed: false }, dave: { closed: false } };
  await persistence.setup({ id: 'b1', clients: connected });
  const topic = '$demo/notifications/all';
  for (const id of Object.keys(connected)) {
    await persistence.addSubscriptions({ id }, [{ topic, qos: 1 }]);
  }
  const message = (brokerCounter, text) => ({
    cmd: 'publish', topic, payload: Buffer.from(text), qos: 1, retain: false, dup: false,
    brokerId: 'b1', brokerCounter,
  });
  const subs = Object.keys(connected).map((clientId) => ({ clientId, topic, qos: 1 }));
  const send = (id, counter, text, messageId) =>
    persistence.outgoingUpdate({ id }, { ...message(counter, text), messageId });
  const acknowledge = (id, messageId) =>
    persistence.outgoingClearMessageId({ id, clean: false }, { messageId });
  await persistence.outgoingEnqueueCombi(subs, message(1, 'first'));
  await persistence.outgoingEnqueueCombi(subs, message(2, 'second'));
  await persistence.outgoingEnqueueCombi(subs.slice(0, 2), message(3, 'third'));
  await send('bob', 1, 'first', 7);
  // carol acknowledges the first before it is journaled.
  await send('carol', 1, 'first', 1);
  await acknowledge('carol', 1);
  await new Promise((resolve) => setTimeout(resolve, ${OUTGOING_JOURNAL_AFTER_MS + 50}));
  await persistence.outgoing.flushAged();
  // After: carol is sent the second, bob acknowledges the third, and dave's session ends
  // (a clean session takes its id over) while it still holds the second.
  await send('carol', 2, 'second', 8);
  await send('bob', 3, 'third', 9);
  await acknowledge('bob', 9);
  await persistence.cleanSubscriptions({ id: 'dave' });
  await persistence.outgoing.flushAged();
  console.log('journaled');
  process.kill(process.pid, 'SIGKILL');
`;

function crashAfterJournaling(dataDir: string): Promise<{ signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', CRASHING_BROKER, dataDir],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (_code, signal) => resolve({ signal, out }));
  });
}

async function queued(persistence: BrokerPersistence, id: string) {
  const packets: { brokerCounter: number; payload: string; dup: boolean }[] = [];
  for await (const packet of persistence.outgoingStream({ id }) as Readable) {
    const p = packet as { brokerCounter: number; payload: Buffer; dup?: boolean };
    packets.push({
      brokerCounter: p.brokerCounter,
      payload: p.payload.toString(),
      dup: p.dup ?? false,
    });
  }
  return packets;
}

async function reopen(dataDir: string): Promise<BrokerPersistence> {
  const persistence = openBrokerPersistence(dataDir, (error) => {
    throw error;
  });
  await persistence.setup({ id: 'b2', clients: {} });
  return persistence;
}

let dataDir: string | undefined;
afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the in-flight journal', () => {
  it('queues again after a crash what connected sessions still held after a second, as duplicates where sent', async () => {
    dataDir = await makeDataDir();
    const { signal, out } = await crashAfterJournaling(dataDir);
    expect(out).toContain('journaled');
    expect(signal).toBe('SIGKILL');

    const first = await reopen(dataDir);
    try {
      // What was sent before goes out again as a duplicate.
      expect(await queued(first, 'bob')).toEqual([
        { brokerCounter: 1, payload: 'first', dup: true },
        { brokerCounter: 2, payload: 'second', dup: false },
      ]);
      expect(await queued(first, 'carol')).toEqual([
        { brokerCounter: 2, payload: 'second', dup: true },
        { brokerCounter: 3, payload: 'third', dup: false },
      ]);
      // Its session was gone before the crash: nothing is queued under its id.
      expect(await queued(first, 'dave')).toEqual([]);
      expect((await first.storedClientIds()).has('dave')).toBe(false);
      // bob comes back and acknowledges the first.
      const sent = { cmd: 'publish', brokerId: 'b1', brokerCounter: 1, qos: 1, messageId: 5 };
      await first.outgoingUpdate({ id: 'bob' }, sent);
      await first.outgoingClearMessageId({ id: 'bob', clean: false }, sent);
    } finally {
      await first.destroy();
    }

    // The journal was emptied: the next start does not queue it again.
    const second = await reopen(dataDir);
    try {
      expect((await queued(second, 'bob')).map((p) => p.brokerCounter)).toEqual([2]);
    } finally {
      await second.destroy();
    }
  });

  it('skips a change whose record was never written without an error, reports what is no record, and empties the journal', async () => {
    dataDir = await makeDataDir();
    const db = new Level<string, unknown>(path.join(dataDir, 'journal'));
    try {
      await db.put('subscriptions:alice:t', 'x'); // alice has a session
      const packet = (brokerCounter: number) => ({
        cmd: 'publish',
        topic: 't',
        payload: Buffer.from(`m${brokerCounter}`),
        qos: 1,
        brokerId: 'b1',
        brokerCounter,
      });
      const journal = levelJournal(db);
      await journal.write({
        noted: [{ packet: packet(2), clientIds: ['alice'], sentTo: [] }],
        // Message 1's note failed; its change was written.
        changed: [{ packet: packet(1), change: 1, released: ['bob'], sentTo: ['alice'] }],
        forgotten: [],
      });
      await db.put('inflight:junk', serialize({ not: 'a record' }), { valueEncoding: 'view' });
      const errors: unknown[] = [];
      const queued: string[] = [];
      const count = await requeueJournaled(
        db,
        async (clientId, p) => {
          queued.push(`${clientId} ${(p as { payload: Buffer }).payload}`);
        },
        (error) => errors.push(error),
      );
      expect({ count, queued }).toEqual({ count: 1, queued: ['alice m2'] });
      // The entry that is no journal record at all is reported, and startup goes on.
      expect(errors).toEqual([new Error('not a journal record')]);
      expect(await db.keys({ gte: 'inflight:', lt: 'inflight;' }).all()).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
