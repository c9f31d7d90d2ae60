import type { Aedes, PublishPacket } from 'aedes';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientIdentity } from '../../../src/server/broker/client-identity';
import { startSysStats, SYS_STATS_INTERVAL_MS } from '../../../src/server/broker/sys-stats';

function identity(org: string, user: string): ClientIdentity {
  return {
    org,
    user,
    rules: [],
    jti: null,
    expiresAt: null,
    passwordStamp: null,
    clientId: user,
    connectedAt: 0,
    checksDeliveries: false,
    closing: false,
  };
}

function fakeBroker() {
  const published: PublishPacket[] = [];
  const aedes = {
    publish: (packet: PublishPacket, done: () => void) => {
      published.push(packet);
      done();
    },
  } as unknown as Aedes;
  return { aedes, published };
}

describe('startSysStats', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes each org’s figures under its own mount point, retained', () => {
    const { aedes, published } = fakeBroker();
    const stats = startSysStats(
      aedes,
      () => [identity('demo', 'alice'), identity('demo', 'bob'), identity('acme', 'wile')],
      Date.now(),
      (org) =>
        org === 'demo' ? { inPerSecond: 3, outPerSecond: 6 } : { inPerSecond: 0, outPerSecond: 0 },
    );
    vi.advanceTimersByTime(SYS_STATS_INTERVAL_MS);
    const byTopic = new Map(published.map((p) => [p.topic, p.payload.toString()]));
    expect(byTopic.get('$demo/$SYS/broker/clients/connected')).toBe('2');
    expect(byTopic.get('$acme/$SYS/broker/clients/connected')).toBe('1');
    expect(byTopic.get('$demo/$SYS/broker/load/messages/sent/per-second')).toBe('6');
    expect(byTopic.get('$acme/$SYS/broker/load/messages/received/per-second')).toBe('0');
    expect(published.every((p) => p.retain && p.qos === 0)).toBe(true);
    stats.stop();
  });

  it('publishes a round after the last change, never one scheduled before it', () => {
    const { aedes, published } = fakeBroker();
    const stats = startSysStats(aedes, () => [identity('demo', 'alice')], Date.now());
    stats.changed(); // a connect
    vi.advanceTimersByTime(200);
    stats.changed(); // a $SYS subscription completes: the round must come after it
    vi.advanceTimersByTime(200);
    expect(published).toHaveLength(0);
    vi.advanceTimersByTime(100);
    expect(published).toHaveLength(4);
    stats.stop();
  });

  it('stops publishing when stopped', () => {
    const { aedes, published } = fakeBroker();
    const stats = startSysStats(aedes, () => [identity('demo', 'alice')], Date.now());
    stats.changed();
    stats.stop();
    vi.advanceTimersByTime(SYS_STATS_INTERVAL_MS * 2);
    expect(published).toHaveLength(0);
  });
});
