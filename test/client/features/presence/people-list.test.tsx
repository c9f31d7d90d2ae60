import { act, screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { PeopleList } from '../../../../src/client/features/presence/components/people-list';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

const SINCE = 1_735_725_600_000;
const online = { status: 'online', since: SINCE };
const offline = { status: 'offline', since: SINCE + 1 };

function statusOf(user: string): string | null | undefined {
  const row = screen.getByText(user).closest('li');
  if (!row) throw new Error(`no row for ${user}`);
  return within(row).getByText(/^(online|offline)$/).textContent;
}

describe('PeopleList', () => {
  it('shows a user online while any of their connections is online', async () => {
    server.use(
      http.get('/api/people', () =>
        HttpResponse.json({
          people: [
            { user: 'bob', role: 'member' },
            { user: 'carol', role: 'member' },
          ],
        }),
      ),
    );
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<PeopleList />, { connection: workspace.connection });
    await screen.findByText('bob');
    const client = workspace.client();
    expect(statusOf('bob')).toBe('offline');

    act(() => {
      client.deliver('presence/bob/bob-laptop', online);
      client.deliver('presence/bob/bob-phone', online);
    });
    expect(statusOf('bob')).toBe('online');
    expect(screen.getByText('1 of 2 online')).toBeInTheDocument();

    act(() => client.deliver('presence/bob/bob-laptop', offline)); // closed one tab
    expect(statusOf('bob')).toBe('online');

    act(() => client.deliver('presence/bob/bob-phone', offline));
    expect(statusOf('bob')).toBe('offline');

    act(() => client.deliver('presence/carol/carol-1', online));
    act(() => client.deliver('presence/carol/carol-1', '')); // retained state cleared
    expect(statusOf('carol')).toBe('offline');
    expect(statusOf('bob')).toBe('offline');
  });

  it('lists online people first', async () => {
    server.use(
      http.get('/api/people', () =>
        HttpResponse.json({
          people: [
            { user: 'anna', role: 'member' },
            { user: 'zed', role: 'admin' },
          ],
        }),
      ),
    );
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<PeopleList />, { connection: workspace.connection });
    await screen.findByText('anna');
    act(() => workspace.client().deliver('presence/zed/zed-1', online));
    const names = screen
      .getAllByRole('listitem')
      .map((li) => li.querySelector('.people__name')?.textContent);
    expect(names).toEqual(['zed', 'anna']);
  });
});
