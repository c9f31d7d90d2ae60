// A connection whose token expires is closed at `exp` (as EMQX does); the app has fetched
// its next token by then and resumes its persistent session.

const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's ceiling (≈24.8 days)

export class ExpiryTimers<K extends object> {
  private readonly timers = new Map<K, NodeJS.Timeout>();

  schedule(key: K, expiresAt: number, onExpiry: () => void): void {
    this.cancel(key);
    const delay = Math.max(0, expiresAt - Date.now());
    if (delay > MAX_TIMER_MS) return; // outlives any sensible token TTL
    const timer = setTimeout(() => {
      this.timers.delete(key);
      onExpiry();
    }, delay);
    timer.unref();
    this.timers.set(key, timer);
  }

  cancel(key: K): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
