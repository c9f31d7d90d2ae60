import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { countNotDelivered } from '../../../src/client/app/count-not-delivered';
import { Shell } from '../../../src/client/app/shell';
import { SignOutButton } from '../../../src/client/app/sign-out-button';
import { readDraft, saveDraft } from '../../../src/client/features/chat/lib/draft-storage';
import { useChatStore } from '../../../src/client/features/chat/stores/chat-store';
import { ALICE } from '../support/fixtures';
import { aliceOutbox, keptTexts, refusedBeforeReload } from '../support/kept-refused';
import { server } from '../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../support/render';

const T = 1_735_725_600_000;

describe('SignOutButton', () => {
  it.each([
    { unsent: 1, notDelivered: 0, said: '1 message or command is not sent yet and will be lost.' },
    {
      unsent: 3,
      notDelivered: 0,
      said: '3 messages or commands are not sent yet and will be lost.',
    },
    { unsent: 0, notDelivered: 1, said: '1 message was not delivered and will be discarded.' },
    { unsent: 0, notDelivered: 2, said: '2 messages were not delivered and will be discarded.' },
    {
      unsent: 1,
      notDelivered: 2,
      said:
        '1 message or command is not sent yet and will be lost. ' +
        '2 messages were not delivered and will be discarded.',
    },
  ])('asks first, saying: $said', async ({ unsent, notDelivered, said }) => {
    const onSignOut = vi.fn();
    render(
      <SignOutButton
        signingOut={false}
        countUnsent={() => unsent}
        countNotDelivered={() => notDelivered}
        onSignOut={onSignOut}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(screen.getByRole('alertdialog', { name: said })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Stay' })).toHaveFocus();
    await userEvent.click(screen.getByRole('button', { name: 'Stay' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(onSignOut).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await userEvent.click(screen.getByRole('button', { name: 'Sign out anyway' }));
    expect(onSignOut).toHaveBeenCalledOnce();
  });

  it.each(['Stay', 'Escape'])(
    'after %s, keyboard focus is back on Sign out, where the question was asked',
    async (how) => {
      const onSignOut = vi.fn();
      render(
        <SignOutButton
          signingOut={false}
          countUnsent={() => 1}
          countNotDelivered={() => 0}
          onSignOut={onSignOut}
        />,
      );
      screen.getByRole('button', { name: 'Sign out' }).focus();
      await userEvent.keyboard('{Enter}');
      expect(screen.getByRole('button', { name: 'Stay' })).toHaveFocus();
      await userEvent.keyboard(how === 'Stay' ? '{Enter}' : '{Escape}');
      expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Sign out' })).toHaveFocus();
      expect(onSignOut).not.toHaveBeenCalled();
    },
  );

  it('signs out at once when nothing would be lost', async () => {
    const onSignOut = vi.fn();
    render(
      <SignOutButton
        signingOut={false}
        countUnsent={() => 0}
        countNotDelivered={() => 0}
        onSignOut={onSignOut}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(onSignOut).toHaveBeenCalledOnce();
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
  });

  it('in the workspace, warns of the messages kept as not delivered that signing out clears', async () => {
    refusedBeforeReload('general', 'kept as not delivered', T);
    refusedBeforeReload('secret', 'kept for a room no longer listed', T);
    server.use(
      http.get('/api/rooms', () =>
        HttpResponse.json({ rooms: [{ id: 'general', name: 'General' }] }),
      ),
      http.delete('/api/session', () => new HttpResponse(null, { status: 204 })),
    );
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<Shell session={ALICE} />, { connection: workspace.connection });

    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(
      screen.getByRole('alertdialog', {
        name: '2 messages were not delivered and will be discarded.',
      }),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Stay' }));
    expect(keptTexts()).toHaveLength(2);

    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await userEvent.click(screen.getByRole('button', { name: 'Sign out anyway' }));
    await waitFor(() => expect(keptTexts()).toEqual([])); // what it warned of, gone
  });

  it('leaves no draft behind in the tab for the next person at this computer', async () => {
    saveDraft(sessionStorage, 'alice@demo', 'general', 'half a thought');
    saveDraft(sessionStorage, 'alice@demo', 'random', 'another');
    sessionStorage.setItem('unrelated', 'kept');
    server.use(http.delete('/api/session', () => new HttpResponse(null, { status: 204 })));
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<Shell session={ALICE} />, { connection: workspace.connection });

    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(readDraft(sessionStorage, 'alice@demo', 'general')).toBe(''));
    expect(readDraft(sessionStorage, 'alice@demo', 'random')).toBe('');
    expect(Object.keys(sessionStorage).filter((key) => key.includes('draft'))).toEqual([]);
    expect(sessionStorage.getItem('unrelated')).toBe('kept');
  });
});

describe('countNotDelivered', () => {
  it('counts each message kept as not delivered once, whether the outbox or the room holds it', async () => {
    refusedBeforeReload('general', 'in both', T);
    await connectTestWorkspace(); // shows what the outbox kept
    const outbox = aliceOutbox();
    expect(countNotDelivered(outbox)).toBe(1);

    // Past MAX_REFUSED the outbox forgets the oldest, while its room still shows it.
    const forgotten = { id: 'r-old', from: ALICE.user, text: 'only shown', sentAt: T };
    useChatStore.getState().restoreRefused('general', forgotten);
    expect(countNotDelivered(outbox)).toBe(2);
    refusedBeforeReload('general', 'only in the outbox', T);
    expect(countNotDelivered(aliceOutbox())).toBe(3);
  });
});
