import { describe, expect, it } from 'vitest';
import { roleRules } from '../../../src/shared/acl';
import { AUTH_FAILURES_PER_USERNAME } from '../../../src/server/auth/auth-throttle';
import { connackCode } from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// One client failing its password over and over (an agent whose password was reset) must
// not lock the other users of its address out: everyone here connects from 127.0.0.1, as
// behind a NAT or a reverse proxy.
const fixture = useTestServer();

const CONNACK_ACCEPTED = 0;
const CONNACK_SERVER_UNAVAILABLE = 3;
const CONNACK_BAD_USERNAME_OR_PASSWORD = 4;

describe('wrong passwords for one user from an address', () => {
  it('throttle that user only: other users, by password or token, still connect from there', async () => {
    const { mqttUrl } = fixture.server;
    const codes: number[] = [];
    for (let i = 0; i < 25; i++) {
      codes.push(
        await connackCode(mqttUrl, {
          username: 'agent-01@demo',
          password: `stale-password-${i}`,
          clientId: `agent-01-${i}`,
        }),
      );
    }
    expect(codes).toEqual([
      ...Array.from({ length: AUTH_FAILURES_PER_USERNAME }, () => CONNACK_BAD_USERNAME_OR_PASSWORD),
      ...Array.from({ length: 25 - AUTH_FAILURES_PER_USERNAME }, () => CONNACK_SERVER_UNAVAILABLE),
    ]);

    // Another user's password, over TCP from the same address.
    expect(
      await connackCode(mqttUrl, {
        username: 'agent-02@demo',
        password: DEMO_PASSWORD,
        clientId: 'agent-02-a',
      }),
    ).toBe(CONNACK_ACCEPTED);
    // A member as the browser app connects: a token over WebSocket.
    const alice = await fixture.member('alice');
    expect(alice.connected).toBe(true);
    // A token over TCP, the very same address as the failing client's.
    const { token } = await fixture.server.tokens.mint({
      org: 'demo',
      user: 'bob',
      clientId: 'bob-tcp',
      acl: roleRules('member'),
    });
    expect(
      await connackCode(mqttUrl, { username: 'bob@demo', password: token, clientId: 'bob-tcp' }),
    ).toBe(CONNACK_ACCEPTED);

    // The failing user is still held off, even with the right password.
    expect(
      await connackCode(mqttUrl, {
        username: 'agent-01@demo',
        password: DEMO_PASSWORD,
        clientId: 'agent-01-right',
      }),
    ).toBe(CONNACK_SERVER_UNAVAILABLE);
  });
});
