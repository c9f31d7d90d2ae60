import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../../src/client/app/app';
import { leaveWorkspace, resetWorkspaceStores } from '../../../src/client/app/reset-stores';
import { forgetSignInToken, signInToken } from '../../../src/client/app/sign-in-token';
import { apiError } from '../support/fixtures';
import { server } from '../support/msw-server';
import { createTestQueryClient } from '../support/render';

/** The module as a reload finds it: nothing in memory, the tab's sessionStorage kept. */
async function reloaded() {
  vi.resetModules();
  return import('../../../src/client/app/sign-in-token');
}

describe('the sign-in token', () => {
  it('is random, names nobody, and stays the same for the same sign-in', () => {
    const token = signInToken('alice@demo');
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(signInToken('alice@demo')).toBe(token);
  });

  it('survives a reload of the tab', async () => {
    const token = signInToken('alice@demo');
    const fresh = await reloaded();
    expect(fresh.signInToken('alice@demo')).toBe(token);
  });

  it('is not another account’s after a reload (the cookie changed in another tab)', async () => {
    const alice = signInToken('alice@demo');
    const fresh = await reloaded();
    expect(fresh.signInToken('bob@demo')).not.toBe(alice);
    expect(JSON.stringify({ ...sessionStorage })).not.toContain('alice');
    expect(JSON.stringify({ ...sessionStorage })).not.toContain('bob');
  });

  it('is new for another account signed in without a sign-out', () => {
    const alice = signInToken('alice@demo');
    expect(signInToken('bob@demo')).not.toBe(alice);
  });

  it('is new after a sign-out, also after a reload', async () => {
    const before = signInToken('alice@demo');
    resetWorkspaceStores(); // what signing out and an auth error do
    const after = signInToken('alice@demo');
    expect(after).not.toBe(before);
    forgetSignInToken();
    expect((await reloaded()).signInToken('alice@demo')).not.toBe(after);
  });

  it('is kept when the sign-in page shows (a session that ended meanwhile), for the same account alone', async () => {
    const before = signInToken('alice@demo');
    server.use(
      http.get('/api/session', () =>
        HttpResponse.json(apiError('not_signed_in', 'Sign in first'), { status: 401 }),
      ),
    );
    render(
      <QueryClientProvider client={createTestQueryClient()}>
        <App />
      </QueryClientProvider>,
    );
    await screen.findByRole('button', { name: 'Sign in' });
    // Alice signing back in finds her views again; anyone else gets a token of their own.
    expect(signInToken('alice@demo')).toBe(before);
    expect((await reloaded()).signInToken('alice@demo')).toBe(before);
    expect(signInToken('bob@demo')).not.toBe(before);
  });

  it('is kept when the workspace is left without a sign-out, and not after one', () => {
    const before = signInToken('alice@demo');
    leaveWorkspace(); // an auth error, or the session found ended
    expect(signInToken('alice@demo')).toBe(before);
    resetWorkspaceStores(); // signing out
    expect(signInToken('alice@demo')).not.toBe(before);
  });

  it('works without storage, in memory', () => {
    const refused = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
    } as unknown as Storage;
    const token = signInToken('alice@demo', refused);
    expect(signInToken('alice@demo', refused)).toBe(token);
    forgetSignInToken(refused);
    expect(signInToken('alice@demo', refused)).not.toBe(token);
  });
});
