import { describe, expect, it } from 'vitest';
import { checkPublish } from '../../../src/server/broker/check-publish';
import type { ClientIdentity } from '../../../src/server/broker/client-identity';

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
      expect(checkPublish(anywhere, topic, '{}', false)).toMatchObject({
        ok: false,
        code: 'topic_outside_contract',
      });
    },
  );

  it.each(['extras', 'extras/x', 'cha', 'chats/x'])(
    'lets %j through as an extra topic',
    (topic) => {
      expect(checkPublish(anywhere, topic, 'anything', false)).toEqual({ ok: true });
    },
  );
});
