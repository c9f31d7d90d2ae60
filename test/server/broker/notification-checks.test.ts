import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, json, record, subscribeGrants, waitForMessage } from '../support/mqtt-clients';
import { captureLog } from '../support/captured-log';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// What the broker accepts on notifications/<user>: only a createdAt the inbox can place
// (check-notification.ts), with the limits chat's sentAt has.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const { logger, events } = captureLog(); // the server's log, as objects
const t = useTestServer({
  logger,
});
afterEach(() => {
  events.length = 0;
});

const notification = (title: string, createdAt = Date.now()) => ({
  id: randomUUID(),
  title,
  body: '',
  createdAt,
});

/** The demo org's service account, as a script sending notifications connects. */
async function notifier() {
  const client = await connect(t.server.mqttUrl, {
    username: 'notifier@demo',
    password: DEMO_PASSWORD,
    clientId: `notifier-${randomUUID().slice(0, 8)}`,
  });
  t.open.push(client);
  return client;
}

/**
 * The notifier sends bob `payload`, then a sentinel; resolves with what bob received by the
 * time the sentinel reached him.
 */
async function notifyThenSentinel(payload: string) {
  const bob = await t.member('bob');
  const seen = record(bob);
  await subscribeGrants(bob, ['notifications/bob']);
  const sender = await notifier();
  await sender.publishAsync('notifications/bob', payload, { qos: 1 }); // acknowledged [MQTT-3.3.5-2]
  const sentinel = notification('sentinel');
  await sender.publishAsync('notifications/bob', json(sentinel), { qos: 1 });
  await waitForMessage(seen, (m) => m.payload.includes(sentinel.id));
  expect(sender.connected).toBe(true);
  return seen.map((m) => m.payload);
}

const inboxIds = () =>
  t.server.storage.notifications.page('demo', 'bob', { limit: 200 }).notifications.map((n) => n.id);

describe('a notification’s createdAt', () => {
  it.each<[string, () => number, string]>([
    ['in the year 2100', () => Date.UTC(2100, 0, 1), 'created_at_ahead'],
    ['two minutes ahead of the server’s clock', () => Date.now() + 2 * 60_000, 'created_at_ahead'],
    ['at the epoch', () => 0, 'created_at_too_old'],
    ['older than the server keeps (30 days)', () => Date.now() - 31 * DAY, 'created_at_too_old'],
  ])('%s: refused, delivered to nobody, not kept, logged', async (_c, createdAt, code) => {
    const refused = notification('refused', createdAt());
    const seen = await notifyThenSentinel(json(refused));
    expect(seen.filter((p) => p.includes(refused.id))).toEqual([]);
    expect(inboxIds()).not.toContain(refused.id);
    expect(
      events.some(
        (e) =>
          e.event === 'publish_denied' &&
          e.code === code &&
          e.topic === 'notifications/bob' &&
          e.org === 'demo' &&
          e.user === 'notifier',
      ),
    ).toBe(true);
  });

  it.each<[string, () => number]>([
    ['queued by a service six hours ago', () => Date.now() - 6 * HOUR],
    ['stamped by a clock a few seconds ahead', () => Date.now() + 5_000],
  ])('%s: delivered and kept', async (_c, createdAt) => {
    const late = notification('late', createdAt());
    const seen = await notifyThenSentinel(json(late));
    expect(seen).toContain(json(late));
    expect(inboxIds()).toContain(late.id);
  });
});

describe('a notification’s title', () => {
  it('with nothing that shows: refused, delivered to nobody, not kept, logged', async () => {
    const blank = notification('\u200b \u200b');
    const seen = await notifyThenSentinel(json(blank));
    expect(seen.filter((p) => p.includes(blank.id))).toEqual([]);
    expect(inboxIds()).not.toContain(blank.id);
    const refusal = events.find((e) => e.event === 'publish_denied' && e.user === 'notifier');
    expect(refusal).toMatchObject({
      code: 'payload_invalid',
      msg: 'title: must have a visible character',
    });
  });
});
