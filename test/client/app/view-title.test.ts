import { describe, expect, it } from 'vitest';
import type { View } from '../../../src/client/app/navigation-store';
import { totalUnread, viewTitle, workspaceTitle } from '../../../src/client/app/view-title';

describe('the tab title', () => {
  it.each<[View, string | undefined, string]>([
    [{ name: 'home' }, undefined, 'Welcome'],
    [{ name: 'room', room: 'general' }, undefined, '#general'],
    [{ name: 'room', room: 'design' }, 'design-review', '#design-review'],
    [{ name: 'people' }, undefined, 'People'],
    [{ name: 'agents' }, undefined, 'Agents'],
    [{ name: 'agent', agent: 'build-bot' }, undefined, 'build-bot — Agents'],
    [{ name: 'notifications' }, undefined, 'Notifications'],
    [{ name: 'admin' }, undefined, 'Admin'],
    [{ name: 'admin', section: 'users' }, undefined, 'Admin'],
  ])('calls %o (room name %s) %s', (view, roomName, title) => {
    expect(viewTitle(view, roomName)).toBe(title);
  });

  it.each([
    [0, '#general — Switchboard'],
    [1, '(1) #general — Switchboard'],
    [3, '(3) #general — Switchboard'],
    [99, '(99) #general — Switchboard'],
    [100, '(99+) #general — Switchboard'],
    [2_500, '(99+) #general — Switchboard'],
  ])('puts %i unread messages in front: %s', (unread, title) => {
    expect(workspaceTitle('#general', unread)).toBe(title);
  });

  it('adds up the unread messages of the rooms listed, as their badges show them', () => {
    const listed = (...ids: string[]) => ids.map((id) => ({ id }));
    expect(totalUnread({}, listed('general'))).toBe(0);
    expect(
      totalUnread({ general: 0, random: 2, design: 5 }, listed('general', 'random', 'design')),
    ).toBe(7);
    // design no longer readable (its count kept), and ops listed with nothing counted yet.
    expect(
      totalUnread({ general: 1, random: 2, design: 5 }, listed('general', 'random', 'ops')),
    ).toBe(3);
    expect(totalUnread({ general: 1 }, undefined)).toBe(0); // no list: no badges either
  });
});
