import { describe, expect, it } from 'vitest';
import { closed } from '../admin/admin-server';
import { connackCode, connect } from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// A sign-in whose session has expired may still have broker tokens live for up to their
// hour (tabs connected since before it expired): signing out with its cookie ends them too.

const SESSION_TTL_SECONDS = 1;
const fixture = useTestServer({ config: { sessionTtlSeconds: SESSION_TTL_SECONDS } });
const { open } = fixture;

describe('DELETE /api/session after the session expired', () => {
  it('revokes the tokens it got and closes their connections', async () => {
    const signIn = await fixture.server.http.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'alice@demo', password: DEMO_PASSWORD }),
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
    const cookie = `sb_session=${signIn.cookies.find((c) => c.name === 'sb_session')?.value ?? ''}`;
    const minted = await fixture.server.http.inject({
      method: 'POST',
      url: '/api/token',
      headers: { cookie, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(minted.statusCode, minted.body).toBe(200);
    const { username, password, clientId } = minted.json<{
      username: string;
      password: string;
      clientId: string;
    }>();
    const tab = await connect(fixture.server.wsUrl, { username, password, clientId });
    open.push(tab);

    await new Promise((resolve) => setTimeout(resolve, SESSION_TTL_SECONDS * 1_000 + 200));
    const signOut = await fixture.server.http.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie },
    });
    expect(signOut.statusCode).toBe(204);
    await closed(tab);
    expect(await connackCode(fixture.server.wsUrl, { username, password, clientId })).toBe(4);
  });
});
