import { describe, expect, it } from 'vitest';
import type { ClientIdentity } from '../../../src/server/broker/client-identity';
import {
  createPublishRateLimit,
  createTokenBuckets,
  MAX_TRACKED_BUCKETS,
  ROLE_KNOWN_FOR_MS,
} from '../../../src/server/broker/publish-rate-limit';
import type { DecodedPayload } from '../../../src/shared/schemas';
import { captureLog } from '../support/captured-log';

const RATE = 20; // a token back every 50 ms
const BURST = 60;

function buckets() {
  const clock = { now: 1_000 };
  const told: string[] = [];
  const limit = createTokenBuckets({ ratePerSecond: RATE, burst: BURST, now: () => clock.now });
  /** How many of `count` takes by `key` were allowed now. */
  const takes = (count: number, key = 'demo/alice') => {
    let allowed = 0;
    for (let i = 0; i < count; i++) if (limit.take(key, () => told.push(key))) allowed++;
    return allowed;
  };
  return { clock, told, limit, takes };
}

describe('createTokenBuckets', () => {
  it('allows a burst of BURST at once, then refuses, telling it once for the run', () => {
    const b = buckets();
    expect(b.takes(BURST)).toBe(BURST);
    expect(b.told).toEqual([]);
    expect(b.takes(10)).toBe(0);
    expect(b.told).toEqual(['demo/alice']);
  });

  it('gives back RATE tokens a second, and tells a new run of refusals again', () => {
    const b = buckets();
    b.takes(BURST + 1);
    b.clock.now += 1_000 / RATE;
    expect(b.takes(2)).toBe(1);
    expect(b.told).toEqual(['demo/alice', 'demo/alice']);
    b.clock.now += 1_000; // a second more: RATE more, no more
    expect(b.takes(RATE + 5)).toBe(RATE);
  });

  it('keeps up a sustained RATE a second indefinitely', () => {
    const b = buckets();
    b.takes(BURST);
    let allowed = 0;
    for (let tick = 0; tick < 100; tick++) {
      b.clock.now += 1_000 / RATE;
      allowed += b.takes(1);
    }
    expect(allowed).toBe(100);
    expect(b.told).toEqual([]);
  });

  it('holds BURST at most, however long the pause', () => {
    const b = buckets();
    b.takes(BURST);
    b.clock.now += 3_600_000;
    expect(b.takes(BURST * 2)).toBe(BURST);
  });

  it('takes nothing back when the clock goes back', () => {
    const b = buckets();
    b.takes(BURST - 1);
    b.clock.now -= 10_000;
    expect(b.takes(2)).toBe(1);
  });

  it('keeps each key its own', () => {
    const b = buckets();
    b.takes(BURST + 1, 'demo/alice');
    expect(b.takes(BURST, 'demo/bob')).toBe(BURST);
    expect(b.takes(1, 'acme/alice')).toBe(1);
    expect(b.told).toEqual(['demo/alice']);
  });

  it(`forgets full buckets past ${MAX_TRACKED_BUCKETS} keys, keeping those in use`, () => {
    const b = buckets();
    b.takes(BURST + 1, 'demo/flooder');
    for (let i = 0; i < MAX_TRACKED_BUCKETS; i++) b.takes(1, `demo/user-${i}`);
    expect(b.limit.size).toBe(MAX_TRACKED_BUCKETS + 1);
    // Full again once BURST / RATE seconds have passed; the flooder, at it still, is not.
    const fillMs = (BURST / RATE) * 1_000;
    for (let t = 0; t < fillMs; t += 1_000 / RATE) {
      b.clock.now += 1_000 / RATE;
      b.takes(1, 'demo/flooder');
    }
    b.takes(1, 'demo/newcomer');
    expect(b.limit.size).toBe(2);
    expect(b.takes(1, 'demo/flooder')).toBe(0); // its empty bucket was kept
  });
});

const person = (user = 'alice', org = 'demo') => ({ org, user }) as ClientIdentity;
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
  const clock = { now: 1_000 };
  const reads: string[] = [];
  const people = new Set(options.people ?? ['alice', 'bob', 'admin']);
  const admits = createPublishRateLimit({
    ratePerSecond: options.rate ?? RATE,
    burst: BURST,
    isPerson: (org, user) => {
      reads.push(`${org}/${user}`);
      if (options.failing) throw new Error('the store failed');
      return people.has(user);
    },
    logger,
    now: () => clock.now,
  });
  const admitted = (who: ClientIdentity, message: DecodedPayload, count: number) => {
    let n = 0;
    for (let i = 0; i < count; i++) if (admits(who, message)) n++;
    return n;
  };
  const throttled = () => events.filter((e) => e.event === 'publish_throttled');
  return { admits, admitted, clock, reads, people, throttled };
}

describe('createPublishRateLimit', () => {
  it("paces a person's chat messages and commands in one bucket, typing in its own", () => {
    const l = limit();
    const alice = person();
    expect(l.admitted(alice, chat, 40)).toBe(40);
    // Typing goes with every message: in the messages' bucket it spent a third of it.
    expect(l.admitted(alice, typing, BURST + 5)).toBe(BURST);
    expect(l.admitted(alice, command, 20)).toBe(BURST - 40);
    expect(l.throttled()).toEqual([
      expect.objectContaining({ org: 'demo', user: 'alice', ratePerSecond: RATE, burst: BURST }),
    ]);
  });

  it('logs a user’s refusals once every 10 s, then says how many runs were left out', () => {
    const l = limit();
    const alice = person();
    l.admitted(alice, chat, BURST + 1);
    for (let i = 0; i < 5; i++) {
      l.clock.now += 1_000 / RATE; // one token back: a new run of refusals after it
      l.admitted(alice, chat, 2);
    }
    expect(l.throttled()).toHaveLength(1);
    l.clock.now += 10_000;
    l.admitted(alice, chat, BURST + 1);
    expect(l.throttled()).toHaveLength(2);
    expect(l.throttled()[1]).toMatchObject({ leftOut: 5 });
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
    expect(l.throttled()).toEqual([]);
  });

  it(`reads a connection's role once per ${ROLE_KNOWN_FOR_MS} ms: a role changed reaches it then`, () => {
    const l = limit();
    const notifier = person('notifier');
    l.admitted(notifier, chat, 100);
    expect(l.reads).toEqual(['demo/notifier']);
    l.people.add('notifier'); // made a member
    l.clock.now += ROLE_KNOWN_FOR_MS;
    expect(l.admitted(notifier, chat, BURST + 1)).toBe(BURST);
    expect(l.reads).toEqual(['demo/notifier', 'demo/notifier']);
  });

  it('paces as a person whoever cannot be looked up (the store failed)', () => {
    const l = limit({ failing: true });
    expect(l.admitted(person('notifier'), chat, BURST + 1)).toBe(BURST);
  });

  it('admits everything, asking nothing, with a rate of 0', () => {
    const l = limit({ rate: 0 });
    expect(l.admitted(person(), chat, BURST * 10)).toBe(BURST * 10);
    expect(l.reads).toEqual([]);
  });
});
