import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyPassword } from '../../../src/server/auth/password';
import { runCli } from '../../../src/server/cli/run-cli';
import { openTempStorage, type TempStorage } from '../storage/temp-storage';

const ACTOR = 'cli:tester';

describe('runCli', () => {
  let t: TempStorage;
  let out: string[];
  let err: string[];
  const run = (...argv: string[]) =>
    runCli(argv, {
      storage: t.storage,
      actor: ACTOR,
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
  /** The org's audit log, oldest first, without ids and times. */
  const audited = (org: string) =>
    t.storage.audit
      .page(org, { limit: 100 })
      .entries.reverse()
      .map(({ actor, action, target, detail }) => ({ actor, action, target, detail }));

  beforeEach(() => {
    t = openTempStorage();
    out = [];
    err = [];
  });
  afterEach(() => t.cleanup());

  it('adds an org', async () => {
    expect(await run('org', 'add', 'acme')).toBe(0);
    expect(out).toEqual(['created org acme']);
    expect(t.storage.users.listOrgs()).toEqual(['acme']);
    out = [];
    expect(await run('org', 'list')).toBe(0);
    expect(out).toEqual(['acme']);
  });

  it('adds a user with a generated password it prints once, which then verifies', async () => {
    await run('org', 'add', 'acme');
    out = [];
    expect(await run('user', 'add', 'dev-1@acme', '--role', 'agent')).toBe(0);
    expect(out[0]).toBe('created dev-1@acme (agent)');
    const password = /^password: (\S{20})$/.exec(out[1] ?? '')?.[1];
    expect(password).toBeDefined();
    const stored = t.storage.users.getUser('acme', 'dev-1');
    expect(stored?.role).toBe('agent');
    expect(await verifyPassword(password ?? '', stored?.passwordHash ?? '')).toBe(true);
  });

  it('adds a user with the given password and prints no password', async () => {
    await run('org', 'add', 'acme');
    out = [];
    expect(
      await run('user', 'add', 'svc@acme', '--role', 'service', '--password', 'long enough pw'),
    ).toBe(0);
    expect(out).toEqual(['created svc@acme (service)']);
    const hash = t.storage.users.getUser('acme', 'svc')?.passwordHash ?? '';
    expect(await verifyPassword('long enough pw', hash)).toBe(true);
  });

  it('lists users of one org or all orgs, as an aligned table', async () => {
    await run('org', 'add', 'acme');
    await run('org', 'add', 'demo');
    await run('user', 'add', 'bob@demo', '--role', 'member', '--password', '12345678');
    await run('user', 'add', 'administrator@acme', '--role', 'admin', '--password', '12345678');
    await run('user', 'disable', 'bob@demo');
    out = [];
    expect(await run('user', 'list')).toBe(0);
    expect(out).toEqual([
      'USERNAME            ROLE    STATUS',
      'administrator@acme  admin   active',
      'bob@demo            member  disabled',
    ]);
    out = [];
    expect(await run('user', 'list', 'demo')).toBe(0);
    expect(out).toHaveLength(2);
    expect(out[1]).toMatch(/^bob@demo\s+member\s+disabled$/);
  });

  it('removes a user, and the command log an agent of theirs had', async () => {
    await run('org', 'add', 'acme');
    await run('user', 'add', 'bob@acme', '--role', 'agent', '--password', '12345678');
    t.storage.agentCommands.recordCommand('acme', 'bob', { id: 'c1', command: 'ping', from: 'x' });
    expect(await run('user', 'remove', 'bob@acme')).toBe(0);
    expect(t.storage.users.getUser('acme', 'bob')).toBeUndefined();
    expect(t.storage.agentCommands.page('acme', 'bob', { limit: 10 }).commands).toEqual([]);
    expect(await run('user', 'remove', 'bob@acme')).toBe(1);
    expect(err[0]).toBe('error[not_found]: no user bob@acme');
  });

  it('disables a user: ends their sessions and revokes their broker tokens, which stay refused once enabled', async () => {
    await run('org', 'add', 'acme');
    await run('user', 'add', 'bob@acme', '--role', 'member', '--password', '12345678');
    const session = t.storage.sessions.create('acme', 'bob', 60);
    const now = Date.now();
    const token = { org: 'acme', user: 'bob', clientId: 'bob-tab', issuedAt: now };
    t.storage.issuedTokens.record({ ...token, jti: 'live-1', expiresAt: now + 60_000 });
    out = [];
    expect(await run('user', 'disable', 'bob@acme')).toBe(0);
    expect(out).toEqual(['disabled bob@acme; ended 1 session(s), revoked 1 token(s)']);
    expect(t.storage.sessions.get(session.id)).toBeUndefined();
    expect(await run('user', 'enable', 'bob@acme')).toBe(0);
    expect(out[1]).toBe('enabled bob@acme');
    expect(t.storage.tokens.isRevoked('live-1')).toBe(true); // the broker refuses it still
    expect(audited('acme').slice(-2)).toEqual([
      {
        actor: ACTOR,
        action: 'user.disable',
        target: 'bob',
        detail: { signedOut: 1, revokedTokens: 1 },
      },
      { actor: ACTOR, action: 'user.enable', target: 'bob', detail: {} },
    ]);
  });

  it('enables a user disabled before disabling revoked tokens: the tokens they held are refused', async () => {
    await run('org', 'add', 'acme');
    await run('user', 'add', 'bob@acme', '--role', 'member', '--password', '12345678');
    await run('user', 'add', 'eve@acme', '--role', 'member', '--password', '12345678');
    const now = Date.now();
    for (const user of ['bob', 'eve']) {
      t.storage.issuedTokens.record({
        org: 'acme',
        user,
        clientId: `${user}-tab`,
        issuedAt: now,
        jti: `${user}-live`,
        expiresAt: now + 60_000,
      });
    }
    // As a Switchboard of before 2026-12-06 disabled bob: his tokens left live.
    t.storage.users.setDisabled('acme', 'bob', true);
    out = [];
    expect(await run('user', 'enable', 'bob@acme')).toBe(0);
    expect(out).toEqual(['enabled bob@acme; revoked 1 token(s) from before']);
    expect(t.storage.tokens.isRevoked('bob-live')).toBe(true);
    expect(audited('acme').at(-1)).toEqual({
      actor: ACTOR,
      action: 'user.enable',
      target: 'bob',
      detail: { revokedTokens: 1 },
    });
    // Enabling one who is enabled changes nothing: her tokens stay live.
    expect(await run('user', 'enable', 'eve@acme')).toBe(0);
    expect(out[1]).toBe('enabled eve@acme');
    expect(t.storage.tokens.isRevoked('eve-live')).toBe(false);
  });

  it('changes a password, ends the user’s sessions and revokes their broker tokens', async () => {
    await run('org', 'add', 'acme');
    await run('user', 'add', 'bob@acme', '--role', 'member', '--password', 'old password');
    const session = t.storage.sessions.create('acme', 'bob', 60);
    const now = Date.now();
    const token = { org: 'acme', user: 'bob', clientId: 'bob-tab', issuedAt: now };
    t.storage.issuedTokens.record({ ...token, jti: 'live-1', expiresAt: now + 60_000 });
    t.storage.issuedTokens.record({ ...token, jti: 'dead-1', expiresAt: now - 1 });
    out = [];
    expect(await run('user', 'passwd', 'bob@acme')).toBe(0);
    expect(out[0]).toBe('changed the password of bob@acme; ended 1 session(s), revoked 1 token(s)');
    expect(t.storage.tokens.isRevoked('live-1')).toBe(true); // the broker refuses it now
    expect(t.storage.issuedTokens.listLive('acme', now, 'bob')).toEqual([]);
    expect(out).toHaveLength(2); // what changed, and the generated password
    const password = /^password: (\S+)$/.exec(out[1] ?? '')?.[1] ?? '';
    const hash = t.storage.users.getUser('acme', 'bob')?.passwordHash ?? '';
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword('old password', hash)).toBe(false);
    expect(t.storage.sessions.get(session.id)).toBeUndefined();

    expect(await run('user', 'passwd', 'bob@acme', '--password', 'new password')).toBe(0);
    const newHash = t.storage.users.getUser('acme', 'bob')?.passwordHash ?? '';
    expect(await verifyPassword('new password', newHash)).toBe(true);
  });

  it('changes a role, audited as the console does, the server told through the change log', async () => {
    await run('org', 'add', 'acme');
    await run('user', 'add', 'bob@acme', '--role', 'member', '--password', '12345678');
    const session = t.storage.sessions.create('acme', 'bob', 60);
    out = [];
    expect(await run('user', 'role', 'bob@acme', 'admin')).toBe(0);
    expect(out).toEqual(['changed the role of bob@acme from member to admin']);
    expect(t.storage.users.getUser('acme', 'bob')?.role).toBe('admin');
    // Still a role of the app: still signed in.
    expect(t.storage.sessions.get(session.id)).toBeDefined();
    expect(audited('acme').at(-1)).toEqual({
      actor: ACTOR,
      action: 'user.role',
      target: 'bob',
      detail: { from: 'member', to: 'admin' },
    });
    expect(t.storage.userChanges.after(0, 10).map(({ user, kind }) => `${kind} ${user}`)).toEqual([
      'role bob',
    ]);
  });

  it.each(['agent', 'service'])(
    'to %s, ends the user’s app sign-ins and revokes their broker tokens, with the change',
    async (role) => {
      await run('org', 'add', 'acme');
      await run('user', 'add', 'bob@acme', '--role', 'member', '--password', '12345678');
      const session = t.storage.sessions.create('acme', 'bob', 60);
      const now = Date.now();
      const token = { org: 'acme', user: 'bob', clientId: 'bob-tab', issuedAt: now };
      t.storage.issuedTokens.record({ ...token, jti: 'live-1', expiresAt: now + 60_000 });
      t.storage.issuedTokens.record({ ...token, jti: 'dead-1', expiresAt: now - 1 });
      out = [];
      expect(await run('user', 'role', 'bob@acme', role)).toBe(0);
      expect(out).toEqual([
        `changed the role of bob@acme from member to ${role}; ended 1 session(s), revoked 1 token(s)`,
      ]);
      expect(t.storage.sessions.get(session.id)).toBeUndefined();
      expect(t.storage.tokens.isRevoked('live-1')).toBe(true);
      expect(t.storage.issuedTokens.listLive('acme', now, 'bob')).toEqual([]);
      expect(audited('acme').at(-1)).toEqual({
        actor: ACTOR,
        action: 'user.role',
        target: 'bob',
        detail: { from: 'member', to: role, signedOut: 1, revokedTokens: 1 },
      });
    },
  );

  it('says a user has the role already, and changes and audits nothing', async () => {
    await run('org', 'add', 'acme');
    await run('user', 'add', 'bob@acme', '--role', 'agent', '--password', '12345678');
    const session = t.storage.sessions.create('acme', 'bob', 60);
    const before = audited('acme');
    out = [];
    expect(await run('user', 'role', 'bob@acme', 'agent')).toBe(0);
    expect(out).toEqual(['bob@acme is already agent']);
    expect(err).toEqual([]);
    expect(audited('acme')).toEqual(before);
    expect(t.storage.sessions.get(session.id)).toBeDefined();
    expect(t.storage.userChanges.after(0, 10)).toEqual([]);
  });

  const lastAdmin = (verb: string) =>
    `error[last_admin]: cannot ${verb} ann@acme: the last enabled admin of acme; make another user admin first (user role <user>@acme admin)`;
  const takesAnAdminAway: [string, string[]][] = [
    ['demote', ['user', 'role', 'ann@acme', 'member']],
    ['disable', ['user', 'disable', 'ann@acme']],
    ['remove', ['user', 'remove', 'ann@acme']],
  ];
  it.each(takesAnAdminAway)(
    'refuses to %s the last enabled admin, without the usage line, and changes nothing',
    async (verb, argv) => {
      await run('org', 'add', 'acme');
      await run('user', 'add', 'ann@acme', '--role', 'admin', '--password', '12345678');
      await run('user', 'add', 'bo@acme', '--role', 'admin', '--password', '12345678');
      await run('user', 'disable', 'bo@acme'); // an admin who cannot sign in runs nothing
      const session = t.storage.sessions.create('acme', 'ann', 60);
      const before = audited('acme');
      out = [];
      const listed = vi.spyOn(t.storage.users, 'listUsers');
      expect(await run(...argv)).toBe(1);
      expect(listed).not.toHaveBeenCalled(); // counted, in the write transaction
      // Called rightly: the usage line would not help.
      expect(err).toEqual([lastAdmin(verb)]);
      expect(out).toEqual([]);
      expect(t.storage.users.getUser('acme', 'ann')).toMatchObject({
        role: 'admin',
        disabled: false,
      });
      expect(t.storage.sessions.get(session.id)).toBeDefined();
      expect(audited('acme')).toEqual(before);
      expect(t.storage.userChanges.after(0, 10).map(({ user, kind }) => `${kind} ${user}`)).toEqual(
        ['disabled bo'],
      );
      // Another enabled admin, and ann may go.
      await run('user', 'enable', 'bo@acme');
      expect(await run(...argv)).toBe(0);
    },
  );

  it.each(takesAnAdminAway)(
    'may %s an org’s only admin when disabled: no enabled admin is taken away',
    async (_name, argv) => {
      await run('org', 'add', 'acme');
      await run('user', 'add', 'ann@acme', '--role', 'admin', '--password', '12345678');
      await run('user', 'add', 'bo@acme', '--role', 'member', '--password', '12345678');
      // As a CLI without this rule could leave an org; the console of another admin too.
      t.storage.users.setDisabled('acme', 'ann', true);
      expect(await run(...argv)).toBe(0);
      expect(err).toEqual([]);
    },
  );

  it('prints usage for help and for no command', async () => {
    expect(await run()).toBe(0);
    expect(out[0]).toMatch(/^usage: npm run cli/);
    out = [];
    expect(await run('--help')).toBe(0);
    expect(out.join('\n')).toContain('user add <user>@<org> --role');
    expect(out).toContain('  room add <org> <room>');
    expect(out).toContain('  room list <org>');
    expect(out).toContain('  user role <user>@<org> <member|agent|service|admin>');
  });

  it('adds rooms to an org, lists them, and audits each creation', async () => {
    await run('org', 'add', 'acme');
    await run('org', 'add', 'other');
    out = [];
    expect(await run('room', 'add', 'acme', 'ops')).toBe(0);
    expect(await run('room', 'add', 'acme', 'general')).toBe(0);
    expect(out).toEqual(['created room ops in acme', 'created room general in acme']);
    expect(t.storage.rooms.list('acme')).toEqual([
      { id: 'general', name: 'general' },
      { id: 'ops', name: 'ops' },
    ]);
    expect(t.storage.rooms.list('other')).toEqual([]);
    out = [];
    expect(await run('room', 'list', 'acme')).toBe(0);
    expect(out).toEqual(['ROOM     NAME', 'general  general', 'ops      ops']);
    out = [];
    expect(await run('room', 'list', 'other')).toBe(0);
    expect(out).toEqual(['ROOM  NAME']);
    expect(err).toEqual([]);
    expect(audited('acme').slice(1)).toEqual([
      { actor: ACTOR, action: 'room.create', target: 'ops', detail: { name: 'ops' } },
      { actor: ACTOR, action: 'room.create', target: 'general', detail: { name: 'general' } },
    ]);
    expect(audited('other')).toEqual([
      { actor: ACTOR, action: 'org.create', target: 'other', detail: {} },
    ]);
  });

  // The ids POST /api/rooms refuses (test/server/http/rooms.test.ts), refused the same way.
  const badRoomIds = ['General', 'a/b', '#', '+', 'x'.repeat(65), '__proto__', 'prototype', 'a@b'];
  it.each(badRoomIds)('refuses room id %j, as POST /api/rooms does', async (id) => {
    t.storage.users.addOrg('demo');
    expect(await run('room', 'add', 'demo', id)).toBe(2);
    expect(err[0]).toBe(
      `error[invalid_id]: invalid room id "${id}": use 1-64 lowercase letters, digits, "-" or "_", starting with a letter or digit`,
    );
    expect(err[1]).toBe('usage: npm run cli -- room add <org> <room>');
    expect(t.storage.rooms.list('demo')).toEqual([]);
    expect(audited('demo')).toEqual([]);
  });

  it('refuses a room past MAX_ROOMS_PER_ORG as POST /api/rooms does, writing nothing', async () => {
    await run('org', 'add', 'acme');
    await run('org', 'add', 'other');
    const withLimit = (...argv: string[]) =>
      runCli(argv, {
        storage: t.storage,
        actor: ACTOR,
        out: (line) => out.push(line),
        err: (line) => err.push(line),
        maxRoomsPerOrg: 2,
      });
    expect(await withLimit('room', 'add', 'acme', 'ops')).toBe(0);
    expect(await withLimit('room', 'add', 'acme', 'general')).toBe(0);
    expect(await withLimit('room', 'add', 'acme', 'design')).toBe(1);
    expect(err).toEqual([
      'error[room_limit_reached]: the org has 2 rooms, the most it may have (MAX_ROOMS_PER_ORG)',
    ]);
    expect(t.storage.rooms.has('acme', 'design')).toBe(false);
    expect(audited('acme').map(({ target }) => target)).toEqual(['acme', 'ops', 'general']);
    // A room that is there is still said to be; other orgs may go on.
    err = [];
    expect(await withLimit('room', 'add', 'acme', 'ops')).toBe(1);
    expect(err).toEqual(['error[exists]: room "ops" already exists']);
    expect(await withLimit('room', 'add', 'other', 'design')).toBe(0);
  });

  const refusals: [string, string, 1 | 2, string[], RegExp][] = [
    ['unknown command', 'unknown_command', 2, ['frobnicate'], /unknown command "frobnicate"/],
    [
      'unknown sub-command',
      'unknown_command',
      2,
      ['user', 'explode'],
      /unknown command "user explode"/,
    ],
    ['prototype key as command', 'unknown_command', 2, ['constructor'], /unknown command/],
    [
      'unknown option',
      'invalid_option',
      2,
      ['org', 'add', 'x', '--force'],
      /Unknown option '--force'/,
    ],
    ['option without value', 'invalid_option', 2, ['user', 'add', 'a@demo', '--role'], /--role/],
    [
      'option the command does not take',
      'invalid_option',
      2,
      ['org', 'add', 'x', '--role', 'admin'],
      /does not take --role/,
    ],
    ['missing org', 'missing_argument', 2, ['org', 'add'], /missing <org>/],
    ['bad org id', 'invalid_id', 2, ['org', 'add', 'Acme'], /"Acme" is not a valid org id/],
    ['reserved org id', 'invalid_id', 2, ['org', 'add', 'prototype'], /not a valid org id/],
    ['existing org', 'exists', 1, ['org', 'add', 'demo'], /org "demo" already exists/],
    [
      'extra argument',
      'unexpected_argument',
      2,
      ['org', 'add', 'x', 'y'],
      /unexpected argument "y"/,
    ],
    [
      'username without org',
      'invalid_username',
      2,
      ['user', 'add', 'alice', '--role', 'member'],
      /"alice" is not <user>@<org>/,
    ],
    [
      'username with two @',
      'invalid_username',
      2,
      ['user', 'add', 'a@b@demo', '--role', 'member'],
      /not <user>@<org>/,
    ],
    [
      'missing username',
      'missing_argument',
      2,
      ['user', 'add', '--role', 'member'],
      /missing <user>@<org>/,
    ],
    [
      'missing role',
      'missing_argument',
      2,
      ['user', 'add', 'eve@demo'],
      /missing --role \(member, agent, service, admin\)/,
    ],
    [
      'unknown role',
      'invalid_role',
      2,
      ['user', 'add', 'eve@demo', '--role', 'root'],
      /unknown role "root"/,
    ],
    [
      'short password',
      'invalid_password',
      2,
      ['user', 'add', 'eve@demo', '--role', 'member', '--password', 'abc'],
      /at least 8/,
    ],
    [
      'unknown org for user',
      'unknown_org',
      1,
      ['user', 'add', 'eve@nope', '--role', 'member'],
      /no org "nope"/,
    ],
    [
      'existing user',
      'exists',
      1,
      ['user', 'add', 'alice@demo', '--role', 'member'],
      /already exists/,
    ],
    ['list unknown org', 'unknown_org', 1, ['user', 'list', 'nope'], /no org "nope"/],
    ['passwd of nobody', 'not_found', 1, ['user', 'passwd', 'nobody@demo'], /no user nobody@demo/],
    ['disable nobody', 'not_found', 1, ['user', 'disable', 'nobody@demo'], /no user nobody@demo/],
    [
      'role of nobody',
      'not_found',
      1,
      ['user', 'role', 'nobody@demo', 'admin'],
      /no user nobody@demo/,
    ],
    [
      'role without a role',
      'missing_argument',
      2,
      ['user', 'role', 'alice@demo'],
      /missing <role> \(member, agent, service, admin\)/,
    ],
    [
      'unknown role for a role change',
      'invalid_role',
      2,
      ['user', 'role', 'alice@demo', 'root'],
      /unknown role "root": use member, agent, service, admin$/,
    ],
    [
      'role given as an option',
      'invalid_option',
      2,
      ['user', 'role', 'alice@demo', '--role', 'admin'],
      /does not take --role/,
    ],
    [
      'role with an extra argument',
      'unexpected_argument',
      2,
      ['user', 'role', 'alice@demo', 'admin', 'x'],
      /unexpected argument "x"/,
    ],
    ['room add without org', 'missing_argument', 2, ['room', 'add'], /missing <org>/],
    ['room add without room', 'missing_argument', 2, ['room', 'add', 'demo'], /missing <room>/],
    [
      'room add with an extra argument',
      'unexpected_argument',
      2,
      ['room', 'add', 'demo', 'ops', 'x'],
      /unexpected argument "x"/,
    ],
    [
      'room add to an unknown org',
      'unknown_org',
      1,
      ['room', 'add', 'nope', 'ops'],
      /no org "nope"/,
    ],
    [
      'an existing room',
      'exists',
      1,
      ['room', 'add', 'demo', 'general'],
      /room "general" already exists/,
    ],
    ['an empty room id', 'invalid_id', 2, ['room', 'add', 'demo', ''], /invalid room id ""/],
    [
      'room add with --role',
      'invalid_option',
      2,
      ['room', 'add', 'demo', 'ops', '--role', 'admin'],
      /does not take --role/,
    ],
    ['room list without org', 'missing_argument', 2, ['room', 'list'], /missing <org>/],
    ['room list of an unknown org', 'unknown_org', 1, ['room', 'list', 'nope'], /no org "nope"/],
    // Nothing removes a room (broker/known-rooms.ts): no command pretends to.
    [
      'room remove',
      'unknown_command',
      2,
      ['room', 'remove', 'demo', 'general'],
      /unknown command "room remove"/,
    ],
  ];
  // [what, its code, exit status (2: called wrongly, 1: refused), arguments, message]
  it.each(refusals)(
    'refuses %s as %s, exit status %i, with a clear error',
    async (_name, code, status, argv, message) => {
      t.storage.users.addOrg('demo');
      t.storage.users.addUser({ org: 'demo', user: 'alice', role: 'member', passwordHash: 'h' });
      t.storage.rooms.add('demo', 'general');
      expect(await run(...argv)).toBe(status);
      expect(err[0]?.startsWith(`error[${code}]: `)).toBe(true);
      expect(err[0]).toMatch(message);
      expect(out).toEqual([]);
      // Nothing was half-done.
      expect(t.storage.users.listOrgs()).toEqual(['demo']);
      expect(t.storage.users.listUsers('demo').map((u) => u.user)).toEqual(['alice']);
      expect(t.storage.rooms.list('demo').map((r) => r.id)).toEqual(['general']);
      expect(audited('demo')).toEqual([]);
    },
  );

  // The usage line follows a command called wrongly, not a refusal of what a right call
  // would do: it would say nothing of that.
  const usageShown: [string, string[], string | null][] = [
    [
      'missing argument',
      ['user', 'role', 'alice@demo'],
      'user role <user>@<org> <member|agent|service|admin>',
    ],
    ['malformed username', ['user', 'disable', 'alice'], 'user disable <user>@<org>'],
    [
      'short password',
      ['user', 'passwd', 'alice@demo', '--password', 'abc'],
      'user passwd <user>@<org> [--password <pw>]',
    ],
    ['malformed org id', ['org', 'add', 'x'.repeat(65)], 'org add <org>'],
    ['room id the store refuses', ['room', 'add', 'demo', 'General'], 'room add <org> <room>'],
    ['no such user', ['user', 'disable', 'nobody@demo'], null],
    ['existing org', ['org', 'add', 'demo'], null],
    ['unknown org', ['room', 'list', 'nope'], null],
  ];
  it.each(usageShown)(
    'after %s, prints the usage line only for a wrong call',
    async (_name, argv, usage) => {
      t.storage.users.addOrg('demo');
      t.storage.users.addUser({ org: 'demo', user: 'alice', role: 'member', passwordHash: 'h' });
      // The exit status says the same: 2 for a wrong call, 1 for a refusal.
      expect(await run(...argv)).toBe(usage === null ? 1 : 2);
      expect(err[0]).toMatch(/^error\[[a-z_]+\]: /);
      expect(err.slice(1)).toEqual(usage === null ? [] : [`usage: npm run cli -- ${usage}`]);
    },
  );

  it('enables a disabled user again', async () => {
    t.storage.users.addOrg('demo');
    t.storage.users.addUser({ org: 'demo', user: 'bob', role: 'member', passwordHash: 'h' });
    const session = t.storage.sessions.create('demo', 'bob', 60);
    expect(await run('user', 'disable', 'bob@demo')).toBe(0);
    expect(t.storage.users.getUser('demo', 'bob')?.disabled).toBe(true);
    expect(t.storage.sessions.get(session.id)).toBeUndefined();
    expect(await run('user', 'enable', 'bob@demo')).toBe(0);
    expect(t.storage.users.getUser('demo', 'bob')?.disabled).toBe(false);
  });

  it('records each change in the org’s audit log, under the admin console’s action names', async () => {
    await run('org', 'add', 'acme');
    await run('user', 'add', 'bob@acme', '--role', 'member', '--password', '12345678');
    t.storage.sessions.create('acme', 'bob', 60);
    await run('user', 'passwd', 'bob@acme', '--password', 'another password');
    t.storage.sessions.create('acme', 'bob', 60);
    await run('user', 'disable', 'bob@acme');
    await run('user', 'disable', 'bob@acme'); // no change: not audited again
    await run('user', 'enable', 'bob@acme');
    await run('user', 'remove', 'bob@acme');
    await run('user', 'list'); // reads change nothing
    await run('org', 'list');
    expect(err).toEqual([]);
    const as = (action: string, target: string, detail: object) => ({
      actor: ACTOR,
      action,
      target,
      detail,
    });
    expect(audited('acme')).toEqual([
      as('org.create', 'acme', {}),
      as('user.create', 'bob', { role: 'member' }),
      as('user.password_reset', 'bob', { signedOut: 1, revokedTokens: 0 }),
      as('user.disable', 'bob', { signedOut: 1, revokedTokens: 0 }),
      as('user.enable', 'bob', {}),
      as('user.delete', 'bob', { role: 'member' }),
    ]);
  });

  const unaudited: [string, string[], () => unknown, unknown][] = [
    ['org add', ['org', 'add', 'acme'], () => t.storage.users.listOrgs(), ['demo']],
    [
      'user add',
      ['user', 'add', 'eve@demo', '--role', 'member'],
      () => t.storage.users.getUser('demo', 'eve'),
      undefined,
    ],
    [
      'user remove',
      ['user', 'remove', 'alice@demo'],
      () => t.storage.users.getUser('demo', 'alice')?.user,
      'alice',
    ],
    [
      'user passwd',
      ['user', 'passwd', 'alice@demo'],
      () => t.storage.users.getUser('demo', 'alice')?.passwordHash,
      'h',
    ],
    [
      'user disable',
      ['user', 'disable', 'alice@demo'],
      () => t.storage.users.getUser('demo', 'alice')?.disabled,
      false,
    ],
    ['room add', ['room', 'add', 'demo', 'ops'], () => t.storage.rooms.has('demo', 'ops'), false],
  ];
  it.each(unaudited)(
    'leaves %s undone when its audit entry cannot be written',
    async (_name, argv, state, before) => {
      t.storage.users.addOrg('demo');
      t.storage.users.addUser({ org: 'demo', user: 'alice', role: 'member', passwordHash: 'h' });
      vi.spyOn(t.storage.audit, 'record').mockImplementation(() => {
        throw new Error('disk I/O error');
      });
      await expect(run(...argv)).rejects.toThrow('disk I/O error');
      expect(state()).toEqual(before);
    },
  );

  it('leaves a role change undone, sign-ins and tokens too, when its audit entry cannot be written', async () => {
    t.storage.users.addOrg('demo');
    t.storage.users.addUser({ org: 'demo', user: 'alice', role: 'member', passwordHash: 'h' });
    const session = t.storage.sessions.create('demo', 'alice', 60);
    const now = Date.now();
    t.storage.issuedTokens.record({
      org: 'demo',
      user: 'alice',
      clientId: 'alice-tab',
      issuedAt: now,
      jti: 'live-1',
      expiresAt: now + 60_000,
    });
    vi.spyOn(t.storage.audit, 'record').mockImplementation(() => {
      throw new Error('disk I/O error');
    });
    await expect(run('user', 'role', 'alice@demo', 'agent')).rejects.toThrow('disk I/O error');
    expect(t.storage.users.getUser('demo', 'alice')?.role).toBe('member');
    expect(t.storage.sessions.get(session.id)).toBeDefined();
    expect(t.storage.tokens.isRevoked('live-1')).toBe(false);
    expect(t.storage.userChanges.after(0, 10)).toEqual([]);
  });
});
