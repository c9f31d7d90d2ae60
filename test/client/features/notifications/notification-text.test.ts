import { describe, expect, it } from 'vitest';
import {
  displayBody,
  displayTitle,
} from '../../../../src/client/features/notifications/lib/display-text';
import { linkLabel } from '../../../../src/client/features/notifications/lib/link-label';
import { safeHref } from '../../../../src/client/features/notifications/lib/safe-href';
import { hashOf, type View } from '../../../../src/client/lib/view-hash';

// What a notification shows of what its sender wrote: never reordered by bidi controls,
// never an empty title; and links named by where they lead.

describe('a notification’s text as shown', () => {
  it.each([
    // Which controls go is display-text.test.ts's: here, that titles lose them.
    ['plain', 'Deploy finished', 'Deploy finished'],
    ['right-to-left override', '\u202Egnp.exe', 'gnp.exe'],
    ['zero-width and spaces alone', '\u200B \u200B', '(untitled)'],
    ['controls alone', '\u202E\u2066', '(untitled)'],
    ['a zero-width space in a name, shown', 'From @b\u200Bob', 'From @b\u00B7ob'],
    ['a tower of marks, cut', `Ale${'\u0301'.repeat(50)}rt`, `Ale${'\u0301'.repeat(5)}rt`],
  ])('title: %s', (_, title, shown) => {
    expect(displayTitle(title)).toBe(shown);
  });

  it.each([
    ['plain', 'All green.', 'All green.'],
    ['with an override', 'see \u202Efdp.exe', 'see fdp.exe'],
    ['empty', '', ''],
    ['nothing visible', ' \u202E\u200B', ''],
    ['a word joiner, shown', 'de\u2060ploy', 'de\u00B7ploy'],
    ['a tower of marks, cut', `x${'\u0300'.repeat(9)}`, `x${'\u0300'.repeat(5)}`],
  ])('body: %s', (_, body, shown) => {
    expect(displayBody(body)).toBe(shown);
  });
});

describe('a notification link’s name', () => {
  // As an admin sees it; a member's below.
  const page = new URL('https://app.example/switchboard/') as unknown as Location;
  const origin = 'https://app.example';
  it.each([
    ['another site', 'https://docs.example/guide', 'Open link (docs.example)'],
    ['scheme-relative', '//evil.example/phish', 'Open link (evil.example)'],
    ['user info before the host', 'https://app.example@evil.example/', 'Open link (evil.example)'],
    ['a port', 'http://docs.example:8080/', 'Open link (docs.example:8080)'],
    [
      'an internationalised name, in ASCII',
      'https://аpple.example/',
      'Open link (xn--pple-43d.example)',
    ],
    ['this server, not a view', '/api/notifications', 'Open link (app.example)'],
    ['a room', '/switchboard/#/rooms/general', 'Open #general'],
    ['an agent', '/switchboard/#/agents/agent-01', 'Open agent agent-01'],
    ['the agents', '/switchboard/#/agents', 'Open Agents'],
    ['people', '/switchboard/#/people', 'Open People'],
    ['an admin section', '/switchboard/#/admin/users', 'Open Admin'],
    ['no such view', '/switchboard/#/bogus', 'Open link in Switchboard'],
    ['no such room id', '/switchboard/#/rooms/%3Cb%3E', 'Open link in Switchboard'],
    ['an id of the prototype', '/switchboard/#/rooms/constructor', 'Open link in Switchboard'],
  ])('%s', (_, link, name) => {
    const href = safeHref(link, origin);
    if (href === null) throw new Error(`${link} is not a link`);
    expect(linkLabel(href, { isAdmin: true, page })).toBe(name);
  });

  // Read as the app reads its address (lib/view-hash.ts): a link names the view it opens.
  it.each<[View, string]>([
    [{ name: 'room', room: 'general' }, 'Open #general'],
    [{ name: 'agent', agent: 'builder-2' }, 'Open agent builder-2'],
    [{ name: 'agents' }, 'Open Agents'],
    [{ name: 'people' }, 'Open People'],
    [{ name: 'notifications' }, 'Open Notifications'],
    [{ name: 'admin' }, 'Open Admin'],
    [{ name: 'admin', section: 'audit' }, 'Open Admin'],
    [{ name: 'not-found', hash: '#/rooms/general/extra' }, 'Open link in Switchboard'],
    [{ name: 'not-found', hash: `#/rooms/${'a'.repeat(65)}` }, 'Open link in Switchboard'],
  ])('the view %j', (view, name) => {
    expect(
      linkLabel(`https://app.example/switchboard/${hashOf(view)}`, { isAdmin: true, page }),
    ).toBe(name);
  });

  // For a member the console's address is Welcome (app/view-location.ts): named as it.
  it.each<[View, string]>([
    [{ name: 'admin' }, 'Open link in Switchboard'],
    [{ name: 'admin', section: 'audit' }, 'Open link in Switchboard'],
    [{ name: 'room', room: 'general' }, 'Open #general'],
    [{ name: 'notifications' }, 'Open Notifications'],
  ])('the view %j, for a member', (view, name) => {
    expect(
      linkLabel(`https://app.example/switchboard/${hashOf(view)}`, { isAdmin: false, page }),
    ).toBe(name);
  });
});
