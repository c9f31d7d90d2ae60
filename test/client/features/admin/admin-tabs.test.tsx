import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { ADMIN_SECTIONS } from '../../../../src/client/features/admin/lib/admin-sections';
import { server } from '../../support/msw-server';
import { adminUser, usersHandler } from './support/admin-api';
import { renderConsole } from './support/render-console';

describe('admin sections', () => {
  it('are tabs: one tab stop, arrows and Home/End move and select, the panel follows', async () => {
    const user = userEvent.setup();
    // Every panel the keys pass through loads its data.
    server.use(
      usersHandler([adminUser('admin', { role: 'admin' })]),
      http.get('/api/admin/audit', () => HttpResponse.json({ entries: [], nextCursor: null })),
    );
    renderConsole('users');
    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((t) => t.textContent)).toEqual(ADMIN_SECTIONS.map((s) => s.label));
    const users = screen.getByRole('tab', { name: 'Users' });
    expect(users).toHaveAttribute('aria-selected', 'true');
    expect(tabs.filter((t) => t.tabIndex === 0)).toEqual([users]);
    expect(screen.getByRole('tabpanel', { name: 'Users' })).toBeInTheDocument();

    users.focus();
    await user.keyboard('{ArrowRight}');
    const second = screen.getByRole('tab', { name: ADMIN_SECTIONS[1]?.label });
    expect(second).toHaveFocus();
    expect(second).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel', { name: ADMIN_SECTIONS[1]?.label })).toBeInTheDocument();

    await user.keyboard('{End}');
    expect(screen.getByRole('tab', { name: ADMIN_SECTIONS.at(-1)?.label })).toHaveFocus();
    await user.keyboard('{ArrowRight}'); // wraps around
    expect(users).toHaveFocus();
    await user.keyboard('{ArrowLeft}');
    expect(screen.getByRole('tab', { name: ADMIN_SECTIONS.at(-1)?.label })).toHaveFocus();
    await user.keyboard('{Home}');
    expect(users).toHaveAttribute('aria-selected', 'true');
  });
});
