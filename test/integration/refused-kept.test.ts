import { describe, expect, it } from 'vitest';
import { MAX_REFUSED } from '../../src/client/lib/mqtt/outbox';
import { MAX_WAIT_SECONDS } from '../../src/server/broker/publish-rate-limit';
import { DEFAULTS } from '../../src/server/config';

// The broker can refuse a person's whole paced backlog at once (rules narrowed, or the
// user disabled, while it waits): the app must be able to keep every one of those as not
// delivered, or their texts are lost at the next reload.
describe("the app's refused messages", () => {
  it("hold the server's burst and its waiting line at the defaults", () => {
    const atOnce = DEFAULTS.chatBurst + DEFAULTS.chatRatePerSecond * MAX_WAIT_SECONDS;
    expect(MAX_REFUSED).toBeGreaterThanOrEqual(atOnce);
  });
});
