import { describe, expect, it } from 'vitest';
import { checkPublish } from '../../../src/server/broker/check-publish';
import type { ClientIdentity } from '../../../src/server/broker/client-identity';
import { publishContext } from '../support/publish-context';

// An identity whose rules allow publishing anywhere: what is left to refuse is the contract.
const anywhere: ClientIdentity = {
  org: 'demo',
  user: 'ops',
  rules: [{ permission: 'allow', action: 'publish', topic: '#' }],
  jti: null,
  expiresAt: null,
  passwordStamp: null,
  clientId: 'ops-1',
  connectedAt: 0,
  checksDeliveries: false,
  closing: false,
};

describe('checkPublish, the contract under a rule that allows everything', () => {
  it.each(['chat', 'agents', 'presence', 'notifications', 'chat/x', 'chat/__proto__/messages'])(
    'refuses %j, in a contract namespace but no topic of it',
    (topic) => {
      expect(checkPublish(anywhere, topic, '{}', false, publishContext())).toMatchObject({
        ok: false,
        code: 'topic_outside_contract',
      });
    },
  );

  it.each(['extras', 'extras/x', 'cha', 'chats/x'])(
    'lets %j through as an extra topic',
    (topic) => {
      expect(checkPublish(anywhere, topic, 'anything', false, publishContext())).toEqual({
        ok: true,
      });
    },
  );
});

describe('checkPublish, chat to a room of the org with a believable sentAt', () => {
  const DAY = 86_400_000;
  const chat = (sentAt: number) => JSON.stringify({ id: 'm1', from: 'ops', text: 'hi', sentAt });
  const typing = JSON.stringify({ from: 'ops', typing: true });
  const context = publishContext(['no-such-room']);

  it.each<[string, string, () => string, string]>([
    ['a message to no room', 'chat/no-such-room/messages', () => chat(Date.now()), 'room_unknown'],
    ['typing in no room', 'chat/no-such-room/typing', () => typing, 'room_unknown'],
    [
      'a message a year ahead',
      'chat/general/messages',
      () => chat(Date.now() + 365 * DAY),
      'sent_at_ahead',
    ],
    ['a message at the epoch', 'chat/general/messages', () => chat(0), 'sent_at_too_old'],
  ])('refuses %s', (_case, topic, payload, code) => {
    expect(checkPublish(anywhere, topic, payload(), false, context)).toMatchObject({
      ok: false,
      code,
    });
  });

  it('asks about the room in the publisher’s org', () => {
    const asked: string[] = [];
    const verdict = checkPublish(anywhere, 'chat/general/messages', chat(Date.now()), false, {
      ...context,
      roomExists: (org, room) => (asked.push(`${org}/${room}`), true),
    });
    expect(verdict).toMatchObject({ ok: true, message: { kind: 'chat-message', room: 'general' } });
    expect(asked).toEqual(['demo/general']);
  });

  it('lets through a message written offline hours ago and sent on reconnect', () => {
    const verdict = checkPublish(
      anywhere,
      'chat/general/messages',
      chat(Date.now() - DAY / 4),
      false,
      context,
    );
    expect(verdict.ok).toBe(true);
  });
});

describe('checkPublish, notifications with a believable createdAt', () => {
  const DAY = 86_400_000;
  const note = (createdAt: number) => JSON.stringify({ id: 'n1', title: 't', body: '', createdAt });

  it.each<[string, () => number, string]>([
    ['stamped in 2100', () => Date.UTC(2100, 0, 1), 'created_at_ahead'],
    ['stamped at the epoch', () => 0, 'created_at_too_old'],
  ])('refuses one %s', (_case, createdAt, code) => {
    expect(
      checkPublish(anywhere, 'notifications/bob', note(createdAt()), false, publishContext()),
    ).toMatchObject({ ok: false, code });
  });

  it('lets through one a service queued hours ago', () => {
    const verdict = checkPublish(
      anywhere,
      'notifications/bob',
      note(Date.now() - DAY / 4),
      false,
      publishContext(),
    );
    expect(verdict).toMatchObject({ ok: true, message: { kind: 'notification', user: 'bob' } });
  });
});
