import { describe, expect, it } from 'vitest';
import { isPeopleListOutdated } from '../../../../src/client/features/presence/lib/people-list-outdated';
import type { PresenceClients } from '../../../../src/client/features/presence/stores/presence-store';

const online = { status: 'online', since: 1 } as const;
const offline = { status: 'offline', since: 2 } as const;
const people = [
  { user: 'bob', role: 'member' },
  { user: 'carol', role: 'admin' },
];

describe('isPeopleListOutdated', () => {
  const cases: Array<[string, PresenceClients, PresenceClients, boolean]> = [
    ['someone unlisted comes online', {}, { eve: { e1: online } }, true],
    [
      'someone unlisted, online again on another device',
      { eve: { e1: online } },
      { eve: { e1: online, e2: online } },
      false,
    ],
    ['someone unlisted, seen offline only', {}, { eve: { e1: offline } }, false],
    ['someone unlisted, back online', { eve: { e1: offline } }, { eve: { e1: online } }, true],
    ['someone listed comes online', {}, { bob: { b1: online } }, false],
    ['someone listed goes offline', { bob: { b1: online } }, { bob: { b1: offline } }, false],
    [
      'one of two presences of someone listed cleared',
      { bob: { b1: online, b2: offline } },
      { bob: { b2: offline } },
      false,
    ],
    ['the last presence of someone listed cleared', { bob: { b1: offline } }, { bob: {} }, true],
    ['a clear of someone listed who had none', { bob: {} }, { bob: {} }, false],
    ['the last presence of someone unlisted cleared', { eve: { e1: offline } }, { eve: {} }, false],
    ['everything dropped (signed out)', { bob: { b1: online } }, {}, false],
  ];

  it.each(cases)('%s → %s', (_name, before, after, expected) => {
    expect(isPeopleListOutdated(people, before, after)).toBe(expected);
  });

  it('ignores a user whose entry is the same object (unchanged)', () => {
    const eve = { e1: online };
    expect(isPeopleListOutdated(people, { eve }, { eve })).toBe(false);
  });
});
