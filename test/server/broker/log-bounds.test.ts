import { afterEach, describe, expect, it } from 'vitest';
import { MAX_LOGGED_CHARS } from '../../../src/server/broker/clipped';
import { captureLog } from '../support/captured-log';
import { useTestServer } from '../support/server-fixture';

// A client's topic or filter may be 65,535 bytes long; what its refusal logs is bounded, so
// one client cannot write a 130 KB line (the topic twice) for every refused publish.

const { logger, events } = captureLog();
const t = useTestServer({ logger });
afterEach(() => {
  events.length = 0;
});

const LONG = `chat/${'x'.repeat(65_000)}`;
const BOUND = MAX_LOGGED_CHARS + 40; // the cut text and "… (N more characters)"

async function logged(event: string) {
  await expect.poll(() => events.some((e) => e.event === event)).toBe(true);
  return events.find((e) => e.event === event)!;
}

describe('a refusal of a very long topic or filter', () => {
  it('logs the publish topic and reason cut, saying how much was left out', async () => {
    const alice = await t.member('alice');
    await alice.publishAsync(LONG, 'hi', { qos: 1 });
    const line = await logged('publish_denied');
    expect(String(line.topic).length).toBeLessThan(BOUND);
    expect(String(line.topic)).toMatch(/^chat\/x+… \(\d+ more characters\)$/);
    expect(String(line.msg).length).toBeLessThan(BOUND);
    expect(JSON.stringify(line).length).toBeLessThan(4 * BOUND);
  });

  it('logs the subscribe filter and reason cut', async () => {
    const alice = await t.member('alice');
    await expect(alice.subscribeAsync(`${LONG}/#`, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    const line = await logged('subscribe_denied');
    expect(String(line.filter).length).toBeLessThan(BOUND);
    expect(String(line.filter)).toMatch(/… \(\d+ more characters\)$/);
    expect(String(line.msg).length).toBeLessThan(BOUND);
  });

  it('logs the refusal of a Last Will with such a topic cut', async () => {
    // Its reason quotes the topic: "Last Will refused: publish to chat/xxx… is not allowed".
    await expect(
      t.member('alice', {
        will: { topic: LONG, payload: Buffer.from('bye'), qos: 0, retain: false },
      }),
    ).rejects.toThrow();
    const line = await logged('connect_refused');
    expect(line.code).toBe('will_acl_denied');
    expect(String(line.msg)).toMatch(
      /^Last Will refused: publish to chat\/x+… \(\d+ more characters\)$/,
    );
    expect(String(line.msg).length).toBeLessThan(BOUND);
    expect(JSON.stringify(line).length).toBeLessThan(4 * BOUND);
    // aedes reports the refused CONNECT as the client's error too, quoting the same reason.
    const error = await logged('client_error');
    expect(String(error.msg).length).toBeLessThan(BOUND);
  });
});
