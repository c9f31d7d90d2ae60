import type { ClientIdentity } from '../../../src/server/broker/client-identity';
import { roleRules } from '../../../src/shared/acl';

/** What the broker holds of a member of org demo connected with a password, for unit tests. */
export const memberIdentity = (user: string, clientId: string): ClientIdentity => ({
  org: 'demo',
  user,
  clientId,
  rules: roleRules('member'),
  jti: null,
  expiresAt: null,
  passwordStamp: null,
  connectedAt: 0,
  checksDeliveries: false,
  closing: false,
});
