// Failed credential checks per address, for the broker's CONNECTs (these defaults) and
// the HTTP sign-in (its own limit): guessing is bounded, and so is the scrypt work one
// address can make the server do.
export const AUTH_FAILURES_PER_WINDOW = 20;
export const AUTH_FAILURE_WINDOW_MS = 60_000;
// CONNECTs checked at once per address. A failure is known only once the password hash
// is checked, so without this a burst of wrong passwords sent in parallel would all be
// checked before the first counted; past it they wait their turn, and are refused then
// if the address has failed too often meanwhile. A fleet's many agents behind one
// address still all connect, a few at a time.
export const AUTH_CHECKS_IN_PARALLEL = 4;

export class AuthThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();
  private readonly checking = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(
    private readonly limit = AUTH_FAILURES_PER_WINDOW,
    private readonly windowMs = AUTH_FAILURE_WINDOW_MS,
    private readonly inParallel = AUTH_CHECKS_IN_PARALLEL,
  ) {}

  /**
   * Runs one credential check for `address` in its turn: refused with `blocked()` when the
   * address has failed too often, its failure (`failed(error)`) counted before the next
   * in line looks.
   */
  async attempt<T>(
    address: string,
    check: () => Promise<T>,
    on: { blocked(): Error; failed(error: unknown): boolean },
  ): Promise<T> {
    const release = await this.turn(address);
    try {
      if (this.isBlocked(address)) throw on.blocked();
      return await check();
    } catch (error) {
      if (on.failed(error)) this.recordFailure(address);
      throw error;
    } finally {
      release();
    }
  }

  /** Waits for the address's turn to check credentials; call the release when done. */
  private async turn(address: string): Promise<() => void> {
    let slots = this.checking.get(address);
    if (!slots) this.checking.set(address, (slots = { running: 0, waiting: [] }));
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
      if (slots.running === 0) this.checking.delete(address);
    };
  }

  isBlocked(address: string, now = Date.now()): boolean {
    const entry = this.failures.get(address);
    if (!entry) return false;
    if (entry.resetAt <= now) {
      this.failures.delete(address);
      return false;
    }
    return entry.count >= this.limit;
  }

  recordFailure(address: string, now = Date.now()): void {
    const entry = this.failures.get(address);
    if (!entry || entry.resetAt <= now) {
      this.failures.set(address, { count: 1, resetAt: now + this.windowMs });
      if (this.failures.size > 10_000) this.sweep(now); // bound memory under a spray of addresses
    } else {
      entry.count++;
    }
  }

  private sweep(now: number): void {
    for (const [address, entry] of this.failures)
      if (entry.resetAt <= now) this.failures.delete(address);
  }
}
