import { describe, expect, it } from 'vitest';
import {
  AUTH_CHECKS_IN_PARALLEL,
  AUTH_FAILURES_PER_ADDRESS,
  AUTH_FAILURES_PER_USERNAME,
  AuthThrottle,
  type BlockedScope,
  type Claimant,
} from '../../../src/server/auth/auth-throttle';

class Refused extends Error {}
class Blocked extends Error {
  constructor(readonly scope: BlockedScope) {
    super(`blocked: ${scope}`);
  }
}

const on = {
  blocked: (scope: BlockedScope) => new Blocked(scope),
  failed: (error: unknown) => error instanceof Refused,
};

const OFFICE = '203.0.113.7';
const as = (username: string, address = OFFICE): Claimant => ({ address, username });

/** What one password check comes to: 'ok', 'refused' (checked) or the blocked scope. */
async function outcome(
  throttle: AuthThrottle,
  from: Claimant,
  right: boolean,
): Promise<'ok' | 'refused' | BlockedScope> {
  try {
    await throttle.attempt(
      from,
      async () => {
        if (!right) throw new Refused();
      },
      on,
    );
    return 'ok';
  } catch (error) {
    if (error instanceof Blocked) return error.scope;
    if (error instanceof Refused) return 'refused';
    throw error;
  }
}

async function fail(throttle: AuthThrottle, from: Claimant, times: number) {
  for (let i = 0; i < times; i++) await outcome(throttle, from, false);
}

describe('AuthThrottle: password failures per address and username', () => {
  it('blocks a username at an address after its limit; its other usernames and addresses are still checked', async () => {
    const throttle = new AuthThrottle();
    await fail(throttle, as('agent-01@demo'), AUTH_FAILURES_PER_USERNAME - 1);
    expect(await outcome(throttle, as('agent-01@demo'), false)).toBe('refused'); // the last counted
    expect(await outcome(throttle, as('agent-01@demo'), true)).toBe('username');

    expect(await outcome(throttle, as('alice@demo'), true)).toBe('ok');
    expect(await outcome(throttle, as('alice@demo'), false)).toBe('refused');
    expect(await outcome(throttle, as('agent-01@demo', '198.51.100.1'), true)).toBe('ok');
  });

  it('does not count refusals of a blocked username towards its address', async () => {
    const throttle = new AuthThrottle();
    await fail(
      throttle,
      as('agent-01@demo'),
      AUTH_FAILURES_PER_USERNAME + 2 * AUTH_FAILURES_PER_ADDRESS,
    );
    expect(await outcome(throttle, as('agent-01@demo'), true)).toBe('username');
    expect(await outcome(throttle, as('bob@demo'), true)).toBe('ok');
  });

  it('blocks the whole address past its ceiling, whatever the usernames, and only that address', async () => {
    const throttle = new AuthThrottle();
    // A password sprayed over many accounts, a few tries each: no username reaches its limit.
    for (let i = 0; i < AUTH_FAILURES_PER_ADDRESS; i++) {
      expect(await outcome(throttle, as(`user-${i % 25}@demo`), false)).toBe('refused');
    }
    expect(await outcome(throttle, as('user-99@demo'), false)).toBe('address');
    expect(await outcome(throttle, as('alice@demo'), true)).toBe('address');
    expect(await outcome(throttle, as('alice@demo', '198.51.100.1'), true)).toBe('ok');
  });

  it.each([
    ['just before the window ends', 59_999, 'username'],
    ['once it has ended', 60_000, null],
  ] as const)('keeps a block %s', (_, later, expected) => {
    const throttle = new AuthThrottle(2, 60_000, AUTH_CHECKS_IN_PARALLEL, 3);
    const start = 1_000_000;
    throttle.recordFailure(as('alice@demo'), start);
    throttle.recordFailure(as('alice@demo'), start + 10);
    expect(throttle.blockedScope(as('alice@demo'), start + 10)).toBe('username');
    expect(throttle.blockedScope(as('alice@demo'), start + later)).toBe(expected);
  });

  it('with no limit per username (the HTTP sign-in), blocks an address at its ceiling, whatever the usernames', async () => {
    const throttle = new AuthThrottle(Infinity, 60_000, AUTH_CHECKS_IN_PARALLEL, 30);
    await fail(throttle, as('alice@demo'), 20);
    await fail(throttle, as('bob@demo'), 10);
    expect(await outcome(throttle, as('alice@demo'), true)).toBe('address');
    expect(await outcome(throttle, as('carol@demo'), true)).toBe('address');
    expect(await outcome(throttle, as('alice@demo', '198.51.100.1'), true)).toBe('ok');
  });

  it('checks at most AUTH_CHECKS_IN_PARALLEL passwords of an address at once, and counts each failure before the next looks', async () => {
    const throttle = new AuthThrottle(AUTH_FAILURES_PER_USERNAME);
    let running = 0;
    let most = 0;
    let checked = 0;
    const slowWrong = async () => {
      running++;
      checked++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      throw new Refused();
    };
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () => throttle.attempt(as('agent-01@demo'), slowWrong, on)),
    );
    expect(most).toBe(AUTH_CHECKS_IN_PARALLEL);
    expect(checked).toBeGreaterThanOrEqual(AUTH_FAILURES_PER_USERNAME);
    expect(checked).toBeLessThanOrEqual(AUTH_FAILURES_PER_USERNAME + AUTH_CHECKS_IN_PARALLEL - 1);
    const blocked = results.filter(
      (result) => result.status === 'rejected' && result.reason instanceof Blocked,
    );
    expect(blocked).toHaveLength(40 - checked);
  });
});

describe('AuthThrottle: token checks', () => {
  it('are neither blocked by failed passwords of their address nor counted when they fail', async () => {
    const throttle = new AuthThrottle();
    await fail(throttle, as('alice@demo'), AUTH_FAILURES_PER_USERNAME);
    for (let i = 0; i < AUTH_FAILURES_PER_ADDRESS; i++) {
      await outcome(throttle, as(`user-${i}@demo`), false);
    }
    expect(await outcome(throttle, as('bob@demo'), true)).toBe('address');

    await expect(throttle.checkToken(OFFICE, async () => 'alice')).resolves.toBe('alice');
    const badTokens = Array.from({ length: 50 }, () =>
      throttle.checkToken(OFFICE, async () => {
        throw new Refused();
      }),
    );
    for (const bad of badTokens) await expect(bad).rejects.toBeInstanceOf(Refused);
    expect(throttle.blockedScope(as('carol@demo', '198.51.100.1'))).toBeNull();
  });

  it('take turns apart from password checks: a token is checked while slow password checks hold every turn', async () => {
    const throttle = new AuthThrottle();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const passwords = Array.from({ length: AUTH_CHECKS_IN_PARALLEL + 2 }, () =>
      throttle.attempt(as('agent-01@demo'), () => held, on),
    );
    const token = throttle.checkToken(OFFICE, async () => 'checked');
    const first = await Promise.race([
      token,
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 100)),
    ]);
    release();
    await Promise.all(passwords);
    expect(first).toBe('checked');
  });

  it('run at most AUTH_CHECKS_IN_PARALLEL at once per address', async () => {
    const throttle = new AuthThrottle();
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        throttle.checkToken(OFFICE, async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
        }),
      ),
    );
    expect(most).toBe(AUTH_CHECKS_IN_PARALLEL);
  });
});
