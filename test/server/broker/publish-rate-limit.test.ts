import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientIdentity } from '../../../src/server/broker/client-identity';
import {
  createPublishRateLimit,
  MAX_WAIT_SECONDS,
  MAX_WAITING_BYTES,
  ROLE_KNOWN_FOR_MS,
} from '../../../src/server/broker/publish-rate-limit';
import type { DecodedPayload } from '../../../src/shared/schemas';
import { captureLog } from '../support/captured-log';

const RATE = 20; // a token back every 50 ms
const BURST = 60;
const TOKEN_MS = 1_000 / RATE;

// The limit's clock is the faked Date.now, so its lines' timers and its buckets agree.
beforeEach(() => {
  vi.useFakeTimers({ now: 1_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const person = (user = 'alice', org = 'demo') => ({ org, user }) as ClientIdentity;
const never = () => false; // not abandoned: its connection stays open
const chat: DecodedPayload = {
  kind: 'chat-message',
  room: 'general',
  value: { id: 'm1', from: 'alice', text: 'hi', sentAt: 1 },
};
const typing: DecodedPayload = {
  kind: 'chat-typing',
  room: 'general',
  value: { from: 'alice', typing: true },
};
const command: DecodedPayload = {
  kind: 'agent-inbox',
  agent: 'agent-01',
  value: { id: 'c1', command: 'pause', from: 'alice' },
};
const state: DecodedPayload = {
  kind: 'agent-state',
  agent: 'agent-01',
  value: { status: 'working', updatedAt: 1 },
};
const reply: DecodedPayload = {
  kind: 'agent-replies',
  agent: 'agent-01',
  value: { commandId: 'c1', status: 'done' },
};
const notification: DecodedPayload = {
  kind: 'notification',
  user: 'bob',
  value: { id: 'n1', title: 't', body: '', createdAt: 1 },
};
const presence: DecodedPayload = {
  kind: 'presence',
  user: 'alice',
  clientId: 'c',
  value: { status: 'online', since: 1 },
};

function limit(options: { rate?: number; people?: string[]; failing?: boolean } = {}) {
  const { logger, events } = captureLog();
  const reads: string[] = [];
  const people = new Set(options.people ?? ['alice', 'bob', 'admin']);
  const rateLimit = createPublishRateLimit({
    ratePerSecond: options.rate ?? RATE,
    burst: BURST,
    isPerson: (org, user) => {
      reads.push(`${org}/${user}`);
      if (options.failing) throw new Error('the store failed');
      return people.has(user);
    },
    logger,
    now: Date.now,
  });
  /** What became of `count` publishes so far: true went, false never will; the rest wait. */
  const send = (who: ClientIdentity, message: DecodedPayload, count: number, bytes = 100) => {
    const outcomes: boolean[] = [];
    for (let i = 0; i < count; i++) {
      rateLimit.pace(who, message, bytes, (admitted) => outcomes.push(admitted), never);
    }
    return outcomes;
  };
  /** How many of `count` went at once. */
  const admitted = (who: ClientIdentity, message: DecodedPayload, count: number) =>
    send(who, message, count).filter(Boolean).length;
  const logged = (event: string) => events.filter((e) => e.event === event);
  return { rateLimit, send, admitted, reads, people, logged };
}

describe('createPublishRateLimit', () => {
  it("paces a person's chat messages and commands in one bucket, typing in its own", () => {
    const l = limit();
    const alice = person();
    expect(l.admitted(alice, chat, 40)).toBe(40);
    // Typing goes with every message: in the messages' bucket it spent a third of it.
    const typed = l.send(alice, typing, BURST + 5);
    // A late "is typing" is a wrong one: past the bucket, typing goes nowhere at once.
    expect(typed).toEqual([...Array(BURST).fill(true), ...Array(5).fill(false)]);
    expect(l.admitted(alice, command, 20)).toBe(BURST - 40);
    expect(l.logged('publish_throttled')).toEqual([
      expect.objectContaining({ org: 'demo', user: 'alice', what: 'typing', burst: BURST }),
    ]);
  });

  it('makes messages and commands past the burst wait their turn, in order, at the rate', () => {
    const l = limit();
    const alice = person();
    const order: string[] = [];
    const publish = (name: string, message: DecodedPayload) =>
      l.rateLimit.pace(alice, message, 100, (admitted) => admitted && order.push(name), never);
    for (let i = 0; i < BURST; i++) publish(`m${i}`, chat);
    publish('late chat', chat);
    publish('late command', command);
    expect(order).toHaveLength(BURST);
    expect(l.rateLimit.waiting).toBe(2);
    expect(l.logged('publish_throttled')).toEqual([
      expect.objectContaining({
        org: 'demo',
        user: 'alice',
        what: 'messages',
        ratePerSecond: RATE,
      }),
    ]);
    vi.advanceTimersByTime(TOKEN_MS);
    expect(order.slice(BURST)).toEqual(['late chat']);
    vi.advanceTimersByTime(TOKEN_MS);
    expect(order.slice(BURST)).toEqual(['late chat', 'late command']);
    expect(l.logged('publish_dropped')).toEqual([]);
  });

  it(`holds ${MAX_WAIT_SECONDS} s of them at most, and drops the rest, logged apart`, () => {
    const l = limit();
    const alice = person();
    const held = RATE * MAX_WAIT_SECONDS;
    const outcomes = l.send(alice, chat, BURST + held + 3);
    expect(outcomes).toEqual([...Array(BURST).fill(true), false, false, false]);
    expect(l.rateLimit.waiting).toBe(held);
    expect(l.logged('publish_dropped')).toEqual([
      expect.objectContaining({ org: 'demo', user: 'alice', what: 'messages' }),
    ]);
    vi.advanceTimersByTime(MAX_WAIT_SECONDS * 1_000);
    expect(outcomes.filter(Boolean)).toHaveLength(BURST + held);
    expect(l.rateLimit.waiting).toBe(0);
  });

  it(`holds ${MAX_WAITING_BYTES} bytes at most, whatever the count`, () => {
    const l = limit();
    const alice = person();
    l.send(alice, chat, BURST);
    const big = MAX_WAITING_BYTES / 4;
    const outcomes = l.send(alice, chat, 5, big);
    expect(outcomes).toEqual([false]); // the fifth: four wait
    expect(l.rateLimit.waiting).toBe(4);
  });

  it('logs a user’s runs once every 10 s, then says how many were left out', () => {
    const l = limit();
    const alice = person();
    l.send(alice, typing, BURST + 1);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(TOKEN_MS); // one token back: a new run of refusals after it
      l.send(alice, typing, 2);
    }
    expect(l.logged('publish_throttled')).toHaveLength(1);
    vi.advanceTimersByTime(10_000);
    l.send(alice, typing, BURST + 1);
    expect(l.logged('publish_throttled')).toHaveLength(2);
    expect(l.logged('publish_throttled')[1]).toMatchObject({ leftOut: 5 });
  });

  it('paces the user across their connections, and no one else with them', () => {
    const l = limit();
    const phone = person();
    const laptop = person(); // another connection: another identity
    expect(l.admitted(phone, chat, 30) + l.admitted(laptop, chat, 31)).toBe(BURST);
    expect(l.admitted(person('bob'), chat, BURST)).toBe(BURST);
    expect(l.admitted(person('alice', 'acme'), chat, 1)).toBe(1);
  });

  it.each([
    ['an agent state', state],
    ['a reply', reply],
    ['a notification', notification],
    ['a presence', presence],
  ])('does not pace %s, whoever publishes it', (_case, message) => {
    const l = limit();
    expect(l.admitted(person(), message, BURST * 10)).toBe(BURST * 10);
    expect(l.reads).toEqual([]); // not even asked who they are
  });

  it('does not pace who is no person (a service, an agent, a device)', () => {
    const l = limit();
    expect(l.admitted(person('notifier'), chat, BURST * 10)).toBe(BURST * 10);
    expect(l.admitted(person('notifier'), command, BURST * 10)).toBe(BURST * 10);
    expect(l.logged('publish_throttled')).toEqual([]);
    expect(l.rateLimit.waiting).toBe(0);
  });

  it(`reads a connection's role once per ${ROLE_KNOWN_FOR_MS} ms: a role changed reaches it then`, () => {
    const l = limit();
    const notifier = person('notifier');
    l.admitted(notifier, chat, 100);
    expect(l.reads).toEqual(['demo/notifier']);
    l.people.add('notifier'); // made a member
    vi.advanceTimersByTime(ROLE_KNOWN_FOR_MS);
    expect(l.admitted(notifier, chat, BURST + 1)).toBe(BURST);
    expect(l.reads).toEqual(['demo/notifier', 'demo/notifier']);
  });

  it('paces as a person whoever cannot be looked up (the store failed)', () => {
    const l = limit({ failing: true });
    expect(l.admitted(person('notifier'), chat, BURST + 1)).toBe(BURST);
  });

  it('admits everything at once, asking nothing, with a rate of 0', () => {
    const l = limit({ rate: 0 });
    expect(l.admitted(person(), chat, BURST * 10)).toBe(BURST * 10);
    expect(l.reads).toEqual([]);
  });

  it('lets nothing that waits go once closed', () => {
    const l = limit();
    const outcomes = l.send(person(), chat, BURST + 2);
    l.rateLimit.close();
    vi.runAllTimers();
    expect(outcomes).toHaveLength(BURST);
  });
});
