// Failed password checks, for the broker's CONNECTs (these defaults) and the HTTP sign-in
// (its own limits). Counted per address and username, so guessing one account is bounded
// without one account's failures locking the others at that address (a NAT, a reverse
// proxy, one office) out; and per address, whatever the username, so spraying a password
// over many accounts is bounded too, and so is the scrypt work one address can make the
// server do. The HTTP sign-in sets no per-username limit: its rate limit bounds guesses
// at one account (session.ts), and only its per-address ceiling applies here.
export const AUTH_FAILURES_PER_USERNAME = 20;
// Five accounts' worth: five clients failing at once (misconfigured, or given a new
// password) still leave the address's other password logins working. It bounds one
// address to 100 guesses a minute over all accounts and ≈100 × 50–100 ms of scrypt (under
// 20 % of a core). Token logins are never held back by it (see checkToken).
export const AUTH_FAILURES_PER_ADDRESS = 100;
export const AUTH_FAILURE_WINDOW_MS = 60_000;
// Password checks at once per address. A failure is known only once the password hash
// is checked, so without this a burst of wrong passwords sent in parallel would all be
// checked before the first counted; past it they wait their turn, and are refused then
// if their username or address has failed too often meanwhile. A fleet's many agents
// behind one address still all connect, a few at a time. Token checks take turns apart,
// with the same limit: they never wait behind a flood of scrypt checks.
export const AUTH_CHECKS_IN_PARALLEL = 4;

// Past this many entries, expired ones are swept: bounds memory under a spray of
// addresses or usernames.
const SWEEP_ABOVE_ENTRIES = 10_000;

/** Who is checked: from where, and as whom (`''` when no valid username is given). */
export interface Claimant {
  address: string;
  username: string;
}

/** What is blocked: this username at this address, or the whole address. */
export type BlockedScope = 'username' | 'address';

interface Failures {
  count: number;
  resetAt: number;
}

interface Turns {
  running: number;
  waiting: (() => void)[];
}

export class AuthThrottle {
  private readonly byUsername = new Map<string, Failures>();
  private readonly byAddress = new Map<string, Failures>();
  private readonly passwordTurns = new Map<string, Turns>();
  private readonly tokenTurns = new Map<string, Turns>();

  /**
   * @param perUsername failures allowed per address and username in a window
   * @param windowMs how long failures are counted from the first one
   * @param inParallel checks run at once per address (passwords and tokens each)
   * @param perAddress failures allowed per address in a window, whatever the usernames
   */
  constructor(
    private readonly perUsername = AUTH_FAILURES_PER_USERNAME,
    private readonly windowMs = AUTH_FAILURE_WINDOW_MS,
    private readonly inParallel = AUTH_CHECKS_IN_PARALLEL,
    private readonly perAddress = AUTH_FAILURES_PER_ADDRESS,
  ) {}

  /**
   * Runs one password check in its address's turn: refused with `blocked(scope)`, unchecked,
   * when its username at that address, or the address, has failed too often; its failure
   * (`failed(error)`) counted before the next in line looks.
   */
  async attempt<T>(
    claimant: Claimant,
    check: () => Promise<T>,
    on: { blocked(scope: BlockedScope): Error; failed(error: unknown): boolean },
  ): Promise<T> {
    const release = await this.turn(this.passwordTurns, claimant.address);
    try {
      const blocked = this.blockedScope(claimant);
      if (blocked) throw on.blocked(blocked);
      return await check();
    } catch (error) {
      if (on.failed(error)) this.recordFailure(claimant);
      throw error;
    } finally {
      release();
    }
  }

  /**
   * Runs one check of a signed token in its address's turn. Neither blocked by failed
   * passwords nor counted: a signature is cheap to verify and cannot be guessed, so the
   * app's users behind an address that someone floods with wrong passwords still connect.
   * A flood of bad tokens is bounded by the turns alone.
   */
  async checkToken<T>(address: string, check: () => Promise<T>): Promise<T> {
    const release = await this.turn(this.tokenTurns, address);
    try {
      return await check();
    } finally {
      release();
    }
  }

  /** Waits for the address's turn in `lanes`; call the release when done. */
  private async turn(lanes: Map<string, Turns>, address: string): Promise<() => void> {
    let slots = lanes.get(address);
    if (!slots) lanes.set(address, (slots = { running: 0, waiting: [] }));
    if (slots.running >= this.inParallel) {
      await new Promise<void>((resolve) => slots.waiting.push(resolve));
    } else {
      slots.running++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slots.waiting.shift();
      if (next) return next(); // the slot passes to the next in line
      slots.running--;
      if (slots.running === 0) lanes.delete(address);
    };
  }

  /** Why `claimant` would be refused unchecked now, if it would be. */
  blockedScope(claimant: Claimant, now = Date.now()): BlockedScope | null {
    if (current(this.byUsername, usernameKey(claimant), now) >= this.perUsername) {
      return 'username';
    }
    if (current(this.byAddress, claimant.address, now) >= this.perAddress) return 'address';
    return null;
  }

  recordFailure(claimant: Claimant, now = Date.now()): void {
    this.count(this.byUsername, usernameKey(claimant), now);
    this.count(this.byAddress, claimant.address, now);
  }

  private count(failures: Map<string, Failures>, key: string, now: number): void {
    const entry = failures.get(key);
    if (entry && entry.resetAt > now) {
      entry.count++;
      return;
    }
    failures.set(key, { count: 1, resetAt: now + this.windowMs });
    if (failures.size > SWEEP_ABOVE_ENTRIES) {
      for (const [stale, { resetAt }] of failures) if (resetAt <= now) failures.delete(stale);
    }
  }
}

// Addresses hold no spaces; usernames are `<user>@<org>` ids or ''.
const usernameKey = ({ address, username }: Claimant) => `${address} ${username}`;

/** The failures counted for `key` in its current window (an expired entry goes). */
function current(failures: Map<string, Failures>, key: string, now: number): number {
  const entry = failures.get(key);
  if (!entry) return 0;
  if (entry.resetAt <= now) {
    failures.delete(key);
    return 0;
  }
  return entry.count;
}
