import { describe, expect, it, vi } from 'vitest';
import type { AedesPublishPacket } from 'aedes';
import {
  createRecordHistory,
  type HistoryEntry,
  type HistoryRecorder,
} from '../../../src/server/broker/record-history';
import { DISCARD_TOPIC } from '../../../src/server/broker/mount-point';
import type { DecodedPayload } from '../../../src/shared/schemas';

const packet = (topic: string, payload: unknown, qos: 0 | 1 | 2 = 1) =>
  ({
    cmd: 'publish',
    topic,
    payload: Buffer.from(JSON.stringify(payload)),
    qos,
    retain: false,
    dup: false,
  }) as unknown as AedesPublishPacket;
const chat = { id: 'm1', from: 'alice', text: 'hi', sentAt: 1 };
const chatMessage: DecodedPayload = { kind: 'chat-message', room: 'general', value: chat };
const alice = { org: 'demo', user: 'alice' };

/** A recorder that writes nothing; `recorded` lists what it was given, as [org, key, value]. */
function recorder() {
  const entries: HistoryEntry[] = [];
  const r = {
    record: vi.fn((entry: HistoryEntry) => void entries.push(entry)),
    flush: vi.fn<HistoryRecorder['flush']>(),
    onError: vi.fn<HistoryRecorder['onError']>(),
    entries,
    recorded: () =>
      entries.map(({ org, message }) => [
        org,
        message.kind === 'chat-message'
          ? message.room
          : message.kind === 'notification'
            ? message.user
            : message.agent,
        message.value,
      ]),
  };
  return r;
}

function publish(record: HistoryRecorder, p: AedesPublishPacket): Promise<void> {
  return new Promise((resolve) => createRecordHistory(record).published(p, null, () => resolve()));
}

describe('the published hook records history', () => {
  it('records chat messages and notifications by org, and nothing else', async () => {
    const r = recorder();
    await publish(r, packet('$demo/chat/general/messages', chat));
    await publish(
      r,
      packet('$demo/notifications/bob', { id: 'n1', title: 't', body: '', createdAt: 1 }),
    );
    await publish(r, packet('$demo/chat/general/typing', { from: 'alice', typing: true }));
    await publish(r, packet('$demo/agents/agent-01/state', { status: 'idle', updatedAt: 1 }));
    await publish(r, packet('$demo/chat/general/messages', { not: 'a message' }));
    await publish(r, packet('$SYS/discarded', chat));
    expect(r.recorded()).toEqual([
      ['demo', 'general', chat],
      ['demo', 'bob', { id: 'n1', title: 't', body: '', createdAt: 1 }],
    ]);
    // Routed already: nothing to drop should the id be kept, so the history is not asked.
    expect(r.entries.map((e) => e.packet)).toEqual([null, null]);
    expect(r.entries.map((e) => e.onIdKept)).toEqual([null, null]);
  });

  it('reports a failed write and still lets the message through', async () => {
    const r = recorder();
    r.record.mockImplementation(() => {
      throw new Error('database is closed');
    });
    await publish(r, packet('$demo/chat/general/messages', chat));
    expect(r.onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'database is closed' }),
    );
  });
});

describe('recording at authorization (before aedes sends the PUBACK)', () => {
  it('records an accepted chat message once: the published hook skips that packet', async () => {
    const r = recorder();
    const history = createRecordHistory(r);
    const p = packet('$demo/chat/general/messages', chat);
    history.accepted(p, alice, chatMessage);
    expect(r.recorded()).toEqual([['demo', 'general', chat]]);
    await new Promise<void>((resolve) => history.published(p, null, () => resolve()));
    expect(r.record).toHaveBeenCalledTimes(1);
  });

  it('leaves a QoS 1 one to the turn’s batch, and writes a QoS 0 one and a will at once', () => {
    const r = recorder();
    const history = createRecordHistory(r);
    history.accepted(packet('$demo/chat/general/messages', chat, 1), alice, chatMessage);
    expect(r.flush).not.toHaveBeenCalled();
    // aedes routes these as soon as they are authorized.
    history.accepted(packet('$demo/chat/general/messages', chat, 0), alice, chatMessage);
    expect(r.flush).toHaveBeenCalledTimes(1);
    history.acceptedWill(packet('$demo/chat/general/messages', chat, 1), alice, chatMessage);
    expect(r.flush).toHaveBeenCalledTimes(2);
  });

  it('records nothing for kinds that are not kept, and leaves them to no one', async () => {
    const r = recorder();
    const history = createRecordHistory(r);
    const typing = { from: 'alice', typing: true };
    history.accepted(packet('$demo/chat/general/typing', typing), alice, {
      kind: 'chat-typing',
      room: 'general',
      value: typing,
    });
    expect(r.record).not.toHaveBeenCalled();
  });
});

describe('an agent’s commands and replies, for its command log', () => {
  const command = { id: 'c1', command: 'pause', from: 'alice' };
  const reply = { commandId: 'c1', status: 'accepted' as const };
  const inbox: DecodedPayload = { kind: 'agent-inbox', agent: 'agent-01', value: command };
  const replies: DecodedPayload = { kind: 'agent-replies', agent: 'agent-01', value: reply };
  const agent = { org: 'demo', user: 'agent-01' };
  /** The demo org's agent-01 is an agent; the ids asked about, in order. */
  const agents = () => {
    const asked: string[] = [];
    const isAgent = (org: string, id: string) => {
      asked.push(`${org}/${id}`);
      return org === 'demo' && id === 'agent-01';
    };
    return { asked, isAgent };
  };

  it('are recorded as they are accepted, in the turn’s batch; a reply routed whatever the log holds', async () => {
    const r = recorder();
    const history = createRecordHistory(r, undefined, agents().isAgent);
    const sent = packet('$demo/agents/agent-01/inbox', command);
    history.accepted(sent, alice, inbox);
    history.accepted(packet('$demo/agents/agent-01/replies', reply), agent, replies);
    expect(r.recorded()).toEqual([
      ['demo', 'agent-01', command],
      ['demo', 'agent-01', reply],
    ]);
    expect(r.flush).not.toHaveBeenCalled();
    // A command is kept once per id, as a chat message is; a reply stops nothing.
    expect(r.entries.map((e) => e.onIdKept)).toEqual([expect.any(Function), null]);
    // Not recorded again as aedes routes it.
    await new Promise<void>((resolve) => history.published(sent, null, () => resolve()));
    expect(r.record).toHaveBeenCalledTimes(2);
  });

  it('as a Last Will too, written at once', () => {
    const r = recorder();
    const history = createRecordHistory(r, undefined, agents().isAgent);
    history.acceptedWill(packet('$demo/agents/agent-01/replies', reply), agent, replies);
    history.acceptedWill(packet('$demo/agents/agent-01/inbox', command), alice, inbox);
    expect(r.recorded()).toEqual([
      ['demo', 'agent-01', reply],
      ['demo', 'agent-01', command],
    ]);
    expect(r.entries[0]).toMatchObject({ will: true, onIdKept: null });
    expect(r.entries[1]).toMatchObject({ will: true, onIdKept: expect.any(Function) });
    expect(r.flush).toHaveBeenCalledTimes(2);
  });

  it('a command only to an agent of the org: one to any other id is routed unlogged', () => {
    const r = recorder();
    const { asked, isAgent } = agents();
    const history = createRecordHistory(r, undefined, isAgent);
    const to = (org: string, id: string) => {
      const sent = packet(`$${org}/agents/${id}/inbox`, command);
      history.accepted(
        sent,
        { org, user: 'alice' },
        { kind: 'agent-inbox', agent: id, value: command },
      );
      history.acceptedWill(
        sent,
        { org, user: 'alice' },
        { kind: 'agent-inbox', agent: id, value: command },
      );
      return sent;
    };
    const made = to('demo', 'made-up-7');
    to('acme', 'agent-01'); // an agent of demo, not of acme
    expect(r.record).not.toHaveBeenCalled();
    expect(made.topic).toBe('$demo/agents/made-up-7/inbox'); // not dropped
    expect(asked).toEqual(['demo/made-up-7', 'demo/made-up-7', 'acme/agent-01', 'acme/agent-01']);
  });

  it('a command routed unlogged when whether its agent is one cannot be read (reported)', () => {
    const r = recorder();
    const history = createRecordHistory(r, undefined, () => {
      throw new Error('SQLITE_BUSY');
    });
    const sent = packet('$demo/agents/agent-01/inbox', command);
    history.accepted(sent, alice, inbox);
    expect(r.record).not.toHaveBeenCalled();
    expect(r.onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'SQLITE_BUSY' }));
    expect(sent.topic).toBe('$demo/agents/agent-01/inbox');
  });

  it('an agent’s offline state, live or its Last Will, to mark what it left unfinished; no other state, nor a non-agent’s', () => {
    const r = recorder();
    const { asked, isAgent } = agents();
    const history = createRecordHistory(r, undefined, isAgent);
    const state = (agent: string, status: 'offline' | 'working'): DecodedPayload => ({
      kind: 'agent-state',
      agent,
      value: { status, updatedAt: 1 },
    });
    const on = (agent: string) => packet(`$demo/agents/${agent}/state`, {});
    history.accepted(on('agent-01'), agent, state('agent-01', 'working'));
    history.accepted(
      on('made-up-7'),
      { org: 'demo', user: 'made-up-7' },
      state('made-up-7', 'offline'),
    );
    expect(asked).toEqual(['demo/made-up-7']); // a state other than offline asks nothing
    history.accepted(on('agent-01'), agent, state('agent-01', 'offline'));
    history.acceptedWill(on('agent-01'), agent, state('agent-01', 'offline'));
    expect(r.recorded()).toEqual([
      ['demo', 'agent-01', { status: 'offline', updatedAt: 1 }],
      ['demo', 'agent-01', { status: 'offline', updatedAt: 1 }],
    ]);
    expect(r.entries.map((e) => [e.will, e.onIdKept])).toEqual([
      [false, null],
      [true, null],
    ]);
    expect(r.flush).toHaveBeenCalledTimes(1); // the will's; the QoS 1 state's in the batch
  });

  it('a QoS 2 one only once aedes stores it', async () => {
    const r = recorder();
    const history = createRecordHistory(r, undefined, agents().isAgent);
    const incoming = { incomingStorePacket: async (_client: { id: string }, _p: object) => {} };
    history.recordQoS2WhenStored(incoming);
    const p = packet('$demo/agents/agent-01/inbox', command, 2);
    history.accepted(p, alice, inbox);
    expect(r.record).not.toHaveBeenCalled();
    await incoming.incomingStorePacket({ id: 'c' }, p);
    expect(r.recorded()).toEqual([['demo', 'agent-01', command]]);
  });
});

describe('a message whose id the history holds already', () => {
  function keptOnce(resent: boolean, will = false, message = chatMessage) {
    const r = recorder();
    const refused: unknown[][] = [];
    const history = createRecordHistory(
      r,
      (...args) => void refused.push(args),
      () => true,
    );
    const topic =
      message.kind === 'agent-inbox'
        ? '$demo/agents/agent-01/inbox'
        : '$demo/chat/general/messages';
    const p = packet(topic, message.value);
    if (will) history.acceptedWill(p, alice, message);
    else history.accepted(p, alice, message);
    const [entry] = r.entries;
    entry!.onIdKept!(entry!, resent);
    return { p, refused };
  }

  it('is routed nowhere, and refused in the log when it is another message', () => {
    const { p, refused } = keptOnce(false);
    expect(p).toMatchObject({ topic: DISCARD_TOPIC, retain: false });
    expect(refused).toEqual([
      [
        alice,
        'chat/general/messages',
        'id_taken',
        'the history of room "general" holds another message with id "m1"',
      ],
    ]);
  });

  it('is routed nowhere, and not refused, when it is the same message again', () => {
    const { p, refused } = keptOnce(true);
    expect(p.topic).toBe(DISCARD_TOPIC);
    expect(refused).toEqual([]);
  });

  it('a command under an id its agent’s log holds: routed nowhere, and refused in the log', () => {
    const cancel = { id: 'x1', command: 'cancel', from: 'mallory' };
    const message: DecodedPayload = { kind: 'agent-inbox', agent: 'agent-01', value: cancel };
    const other = keptOnce(false, false, message);
    expect(other.p).toMatchObject({ topic: DISCARD_TOPIC, retain: false });
    expect(other.refused).toEqual([
      [
        alice,
        'agents/agent-01/inbox',
        'id_taken',
        'the command log of "agent-01" holds another command with id "x1"',
      ],
    ]);
    const resent = keptOnce(true, false, message);
    expect(resent.p.topic).toBe(DISCARD_TOPIC);
    expect(resent.refused).toEqual([]);
    expect(keptOnce(false, true, message).refused.map((args) => args[2])).toEqual([
      'will_id_taken',
    ]);
  });

  it('as a Last Will: refused with a will_ code', () => {
    const { p, refused } = keptOnce(false, true);
    expect(p.topic).toBe(DISCARD_TOPIC);
    expect(refused.map((args) => args[2])).toEqual(['will_id_taken']);
  });
});

describe('a QoS 2 message is recorded when aedes stores it as received', () => {
  function withStore(fail = false) {
    const r = recorder();
    const history = createRecordHistory(r);
    const stored: object[] = [];
    const incoming = {
      incomingStorePacket: async (_client: { id: string }, p: object) => {
        if (fail) throw new Error('disk full');
        stored.push(p);
      },
    };
    history.recordQoS2WhenStored(incoming);
    return { r, history, incoming, stored };
  }
  const qos2 = () => packet('$demo/chat/general/messages', chat, 2);

  it('not at authorization: a reused packet id aedes does not store is never recorded', async () => {
    const { r, history, incoming, stored } = withStore();
    const first = qos2();
    const reused = qos2();
    history.accepted(first, alice, chatMessage);
    history.accepted(reused, alice, chatMessage);
    expect(r.record).not.toHaveBeenCalled();
    await incoming.incomingStorePacket({ id: 'c' }, first);
    expect(stored).toEqual([first]);
    expect(r.recorded()).toEqual([['demo', 'general', chat]]);
    // Written at once: aedes routes it as soon as the store resolves.
    expect(r.flush).toHaveBeenCalledTimes(1);
    // The published hook that follows the store does not record it again.
    await new Promise<void>((resolve) => history.published(first, null, () => resolve()));
    expect(r.record).toHaveBeenCalledTimes(1);
  });

  it('not when the store fails (aedes then routes nothing)', async () => {
    const { r, history, incoming } = withStore(true);
    const p = qos2();
    history.accepted(p, alice, chatMessage);
    await expect(incoming.incomingStorePacket({ id: 'c' }, p)).rejects.toThrow('disk full');
    expect(r.record).not.toHaveBeenCalled();
  });
});
