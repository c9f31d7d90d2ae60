// Password guessing over MQTT is as cheap as over HTTP; failed CONNECTs per address are
// bounded like sign-ins are.
export const AUTH_FAILURES_PER_WINDOW = 20;
export const AUTH_FAILURE_WINDOW_MS = 60_000;

export class AuthThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit = AUTH_FAILURES_PER_WINDOW,
    private readonly windowMs = AUTH_FAILURE_WINDOW_MS,
  ) {}

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
