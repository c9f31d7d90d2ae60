import { describe, expect, it } from 'vitest';
import { HOME_VIEW, type View } from '../../../src/client/app/navigation-store';
import { hashOf, viewOf } from '../../../src/client/app/view-hash';

describe('views as location hashes', () => {
  it.each<[string, View]>([
    ['', { name: 'home' }],
    ['#/rooms/general', { name: 'room', room: 'general' }],
    ['#/people', { name: 'people' }],
    ['#/agents', { name: 'agents' }],
    ['#/agents/builder-2', { name: 'agent', agent: 'builder-2' }],
    ['#/notifications', { name: 'notifications' }],
    ['#/admin', { name: 'admin' }],
    ['#/admin/audit', { name: 'admin', section: 'audit' }],
  ])('%s names its view, and is that view’s hash', (hash, view) => {
    expect(viewOf(hash)).toEqual(view);
    expect(hashOf(view)).toBe(hash);
  });

  it.each(['', '#'])('%j is the Welcome view', (hash) => {
    expect(viewOf(hash)).toEqual(HOME_VIEW);
  });

  // Whatever someone typed or linked: "not found", kept as it was to be shown back and
  // corrected; never an error, nor a strange id in a view, nor Welcome as if nothing was asked.
  it.each([
    ['no leading slash', '#rooms/general'],
    ['the skip link’s anchor', '#main'],
    ['an unknown view', '#/settings'],
    ['a room without an id', '#/rooms'],
    ['an empty room id', '#/rooms/'],
    ['markup as a room id', '#/rooms/<script>alert(1)</script>'],
    ['an encoded room id', '#/rooms/%3Cscript%3E'],
    ['a prototype key as a room id', '#/rooms/__proto__'],
    ['a reserved id', '#/rooms/constructor'],
    ['a prototype key as the view', '#/__proto__'],
    ['an uppercase id', '#/rooms/General'],
    ['an id too long', `#/rooms/${'a'.repeat(65)}`],
    ['a very long hash', `#/rooms/${'a/'.repeat(50_000)}`],
    ['a trailing segment', '#/rooms/general/extra'],
    ['a section of a view without sections', '#/people/all'],
    ['an agent id with a wildcard', '#/agents/bad+agent'],
    ['an admin section that is no id', '#/admin/../users'],
  ])('%s names no view, and is kept as it was', (_name, hash) => {
    const view = viewOf(hash);
    expect(view).toEqual({ name: 'not-found', hash });
    expect(hashOf(view)).toBe(hash); // the address is not rewritten
  });

  it('writes an id no hash can name so that it names nothing', () => {
    expect(viewOf(hashOf({ name: 'agent', agent: 'bad+agent/x' })).name).toBe('not-found');
  });
});
