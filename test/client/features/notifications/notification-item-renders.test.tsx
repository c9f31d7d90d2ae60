import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { NotificationsPanel } from '../../../../src/client/features/notifications/components/notifications-panel';
import { linkLabel } from '../../../../src/client/features/notifications/lib/link-label';
import type * as LinkLabel from '../../../../src/client/features/notifications/lib/link-label';
import { useNotificationsStore } from '../../../../src/client/features/notifications/stores/notifications-store';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

// Each notification's link is named by parsing its URL (linkLabel): counted here, it tells
// which notifications rendered again.
vi.mock('../../../../src/client/features/notifications/lib/link-label', async (importOriginal) => {
  const actual = await importOriginal<typeof LinkLabel>();
  return { ...actual, linkLabel: vi.fn(actual.linkLabel) };
});

const T = 1_735_725_600_000;
const note = (id: string, minutes: number) => ({
  id,
  title: `Title ${id}`,
  body: '',
  createdAt: T + minutes * 60_000,
  link: `https://docs.example/${id}`,
});

describe('the notifications list', () => {
  it('renders again only the notification a mark or an arrival changes', async () => {
    const workspace = await connectTestWorkspace();
    useNotificationsStore.getState().load('alice');
    act(() => {
      for (let i = 0; i < 50; i++)
        workspace.client().deliver('notifications/alice', note(`n${i}`, i));
    });
    renderWithWorkspace(<NotificationsPanel isAdmin={false} />, {
      connection: workspace.connection,
    });
    expect(screen.getAllByRole('article')).toHaveLength(50);
    const named = vi.mocked(linkLabel);
    named.mockClear();

    await userEvent.click(screen.getByRole('button', { name: 'Mark read: Title n7' }));
    expect(named.mock.calls).toEqual([['https://docs.example/n7', { isAdmin: false }]]);

    named.mockClear();
    act(() => workspace.client().deliver('notifications/alice', note('n50', 50)));
    expect(screen.getAllByRole('article')).toHaveLength(51);
    expect(named.mock.calls).toEqual([['https://docs.example/n50', { isAdmin: false }]]);
  });
});
