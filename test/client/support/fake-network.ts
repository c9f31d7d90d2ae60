import type { NetworkStatus } from '../../../src/client/lib/mqtt/network-status';

/** The browser's online and offline events, on the test's command. */
export class FakeNetwork implements NetworkStatus {
  online = true;
  private listeners = new Set<(online: boolean) => void>();
  isOnline = () => this.online;
  subscribe = (listener: (online: boolean) => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  set(online: boolean) {
    this.online = online;
    for (const listener of this.listeners) listener(online);
  }
}
