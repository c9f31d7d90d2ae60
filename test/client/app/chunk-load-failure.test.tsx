import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { sessionQueryKey } from '../../../src/client/features/auth/api/get-session';
import { ALICE } from '../support/fixtures';
import { createTestQueryClient } from '../support/render';

// After a redeploy the server no longer has the chunks this page's build named (a 404,
// static-app.ts), and the browser's import() fails. Here both lazily loaded chunks fail
// so: the workspace (app.tsx) and the admin console (admin-view.tsx).

const MISSING = 'Failed to fetch dynamically imported module: /assets/workspace-old.js';
vi.mock('../../../src/client/app/workspace', () => {
  throw new TypeError(MISSING);
});
vi.mock('../../../src/client/features/admin/components/admin-console', () => {
  throw new TypeError(MISSING.replace('workspace', 'admin-console'));
});
const reload = vi.hoisted(() => vi.fn());
vi.mock('../../../src/client/app/reload-page', () => ({ reloadPage: reload }));

const UPDATED = 'Switchboard was updated; reload to continue.';

// A fresh module graph per test: React.lazy keeps what its first load gave.
beforeEach(() => {
  vi.resetModules();
  reload.mockClear();
});

async function modules() {
  const [{ App }, { AdminView }, { LoadFailureBoundary }, { loadChunk }] = await Promise.all([
    import('../../../src/client/app/app'),
    import('../../../src/client/app/admin-view'),
    import('../../../src/client/app/load-failure-boundary'),
    import('../../../src/client/app/load-chunk'),
  ]);
  return { App, AdminView, LoadFailureBoundary, loadChunk, reload };
}

async function renderSignedIn() {
  const { App, reload } = await modules();
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(sessionQueryKey, ALICE);
  render(
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>,
  );
  return reload;
}

/** What loadChunk leaves behind when it has reloaded the page for `chunk`. */
const markReloaded = (chunk: string) =>
  sessionStorage.setItem(`switchboard.reloaded-for-chunk.${chunk}`, '1');

describe('a workspace chunk that cannot be loaded', () => {
  it('reloads the page once, showing "Opening…" until it goes', async () => {
    const reload = await renderSignedIn();
    await waitFor(() => expect(reload).toHaveBeenCalledTimes(1));
    expect(screen.getByRole('status')).toHaveTextContent('Opening your workspace…');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('after that reload, says Switchboard was updated and offers Reload, focused', async () => {
    markReloaded('workspace');
    vi.spyOn(console, 'error').mockImplementation(() => {}); // React reports what it caught
    const reload = await renderSignedIn();
    expect(await screen.findByRole('alert')).toHaveTextContent(UPDATED);
    const button = screen.getByRole('button', { name: 'Reload' });
    expect(button).toHaveFocus();
    expect(reload).not.toHaveBeenCalled(); // no loop

    await userEvent.keyboard('{Enter}');
    expect(reload).toHaveBeenCalledTimes(1);
  });
});

describe('an admin console chunk that cannot be loaded', () => {
  const renderConsole = async () => {
    const { AdminView, reload } = await modules();
    render(
      <main>
        <AdminView me="root" section="users" onSelectSection={() => {}} />
      </main>,
    );
    return reload;
  };

  it('reloads the page once', async () => {
    const reload = await renderConsole();
    await waitFor(() => expect(reload).toHaveBeenCalledTimes(1));
    expect(screen.getByRole('status')).toHaveTextContent('Opening the admin console…');
  });

  it('after that reload, says so in the view, the shell around it kept', async () => {
    markReloaded('admin-console');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const reload = await renderConsole();
    expect(await screen.findByRole('alert')).toHaveTextContent(UPDATED);
    expect(screen.getByRole('button', { name: 'Reload' })).toHaveFocus();
    expect(screen.getAllByRole('main')).toHaveLength(1); // not a page of its own
    expect(reload).not.toHaveBeenCalled();
  });
});

describe('loadChunk', () => {
  it('reloads once per failure: a chunk that loads clears its mark', async () => {
    const { loadChunk, reload } = await modules();
    let missing = true;
    const load = loadChunk('views', async () => {
      if (missing) throw new TypeError(MISSING);
      return 'module';
    });

    void load(); // first failure: reloads, never settles
    await waitFor(() => expect(reload).toHaveBeenCalledTimes(1));
    await expect(load()).rejects.toMatchObject({ name: 'ChunkLoadError' });
    expect(reload).toHaveBeenCalledTimes(1);

    missing = false;
    await expect(load()).resolves.toBe('module');
    missing = true; // a later deploy
    void load();
    await waitFor(() => expect(reload).toHaveBeenCalledTimes(2));
  });
});

describe('a view that throws while rendering', () => {
  it('says something went wrong and offers Reload, focused', async () => {
    const { LoadFailureBoundary, reload } = await modules();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const Broken = () => {
      throw new Error('a bug');
    };
    render(
      <LoadFailureBoundary wholePage>
        <Broken />
      </LoadFailureBoundary>,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Something went wrong while showing this page; reload to try again.',
    );
    expect(screen.getByRole('button', { name: 'Reload' })).toHaveFocus();
    expect(screen.getByRole('heading', { name: 'Switchboard' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
