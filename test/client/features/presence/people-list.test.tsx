import { act, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { Person } from '../../../../src/client/features/presence/api/get-people';
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

/** GET /api/people from a list the test changes as the server's users change. */
function peopleServer(people: Person[]) {
  const served = { requests: 0 };
  server.use(
    http.get('/api/people', () => {
      served.requests++;
      return HttpResponse.json({ people });
    }),
  );
  return served;
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

  it('lists someone who signs in after the list was fetched, asking once per newcomer', async () => {
    const people: Person[] = [{ user: 'bob', role: 'member' }];
    const served = peopleServer(people);
    const workspace = await connectTestWorkspace();
    const { queryClient } = renderWithWorkspace(<PeopleList />, {
      connection: workspace.connection,
    });
    await screen.findByText('bob');
    const client = workspace.client();
    const settled = () => waitFor(() => expect(queryClient.isFetching()).toBe(0));

    people.push({ user: 'eve', role: 'member' }); // created, then signs in
    act(() => client.deliver('presence/eve/eve-1', online));
    await screen.findByText('eve');
    expect(screen.getByText('1 of 2 online')).toBeInTheDocument();
    expect(served.requests).toBe(2);

    // More from someone listed asks nothing; someone the server does not list (not a
    // person) is asked about once, not again at each of their messages.
    act(() => client.deliver('presence/eve/eve-2', online));
    act(() => client.deliver('presence/bob/bob-1', online));
    await settled();
    expect(served.requests).toBe(2);
    act(() => client.deliver('presence/svc/svc-1', online));
    await settled();
    expect(served.requests).toBe(3);
    act(() => client.deliver('presence/svc/svc-2', online));
    act(() => client.deliver('presence/svc/svc-1', offline));
    await settled();
    expect(served.requests).toBe(3);
    expect(screen.getByText('2 of 2 online')).toBeInTheDocument();
  });

  it('drops someone whose presences the server clears (a removed user), not one who goes offline', async () => {
    const people: Person[] = [
      { user: 'bob', role: 'member' },
      { user: 'carol', role: 'member' },
    ];
    const served = peopleServer(people);
    const workspace = await connectTestWorkspace();
    const { queryClient } = renderWithWorkspace(<PeopleList />, {
      connection: workspace.connection,
    });
    await screen.findByText('bob');
    const client = workspace.client();
    act(() => {
      client.deliver('presence/bob/bob-laptop', online);
      client.deliver('presence/bob/bob-phone', offline);
      client.deliver('presence/carol/carol-1', online);
    });
    act(() => client.deliver('presence/carol/carol-1', offline)); // signed out
    await waitFor(() => expect(queryClient.isFetching()).toBe(0));
    expect(served.requests).toBe(1);

    people.splice(0, 1); // bob deleted: the server clears each of his presences
    act(() => client.deliver('presence/bob/bob-laptop', ''));
    expect(queryClient.isFetching()).toBe(0); // one of his presences is still there
    act(() => client.deliver('presence/bob/bob-phone', ''));
    await waitFor(() => expect(screen.queryByText('bob')).not.toBeInTheDocument());
    expect(screen.getByText('0 of 1 online')).toBeInTheDocument();
    expect(served.requests).toBe(2);
  });

  it('asks for the list again each time it is shown', async () => {
    const people: Person[] = [
      { user: 'bob', role: 'member' },
      { user: 'carol', role: 'member' },
    ];
    peopleServer(people);
    const workspace = await connectTestWorkspace();
    const first = renderWithWorkspace(<PeopleList />, { connection: workspace.connection });
    await screen.findByText('bob');
    first.unmount(); // another view shown

    people.splice(0, 1); // bob deleted meanwhile, never having had a presence to clear
    renderWithWorkspace(<PeopleList />, {
      connection: workspace.connection,
      queryClient: first.queryClient,
    });
    await waitFor(() => expect(screen.queryByText('bob')).not.toBeInTheDocument());
    expect(screen.getByText('carol')).toBeInTheDocument();
  });
});
