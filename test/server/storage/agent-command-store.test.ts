import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, isStorageError, openStorage } from '../../../src/server/storage';
import { PLANNED_SQL } from '../../../src/server/storage/agent-command-store';
import {
  MAX_LOGGED_COMMANDS_PER_AGENT,
  MAX_LOGGED_REPLIES_PER_COMMAND,
} from '../../../src/shared/agent-commands-api';
import type { AgentCommand, AgentReply } from '../../../src/shared/schemas';
import { downgradeSchema } from './older-schema';
import { openTempStorage, type TempStorage } from './temp-storage';

// migrations.ts: the tenth migration added the agents' command logs.
const SCHEMA_BEFORE_COMMAND_LOGS = 9;

const command = (id: string, extra: Partial<AgentCommand> = {}): AgentCommand => ({
  id,
  command: 'pause',
  from: 'alice',
  ...extra,
});

describe('AgentCommandStore: each agent’s recent commands and their replies', () => {
  let t: TempStorage;
  beforeEach(() => {
    t = openTempStorage();
  });
  afterEach(() => t.cleanup());

  const log = () => t.storage.agentCommands;
  const send = (id: string, agent = 'agent-01', org = 'demo', extra: Partial<AgentCommand> = {}) =>
    log().recordCommand(org, agent, command(id, extra));
  const listed = (agent = 'agent-01', org = 'demo', limit = MAX_LOGGED_COMMANDS_PER_AGENT) =>
    log()
      .page(org, agent, { limit })
      .commands.map(({ id, replies }) =>
        replies.length === 0 ? id : `${id}: ${replies.map((r) => r.status).join(', ')}`,
      );
  const refusal = (work: () => unknown) => {
    try {
      work();
    } catch (err) {
      return isStorageError(err) ? err.code : err;
    }
    return 'done';
  };
  const countRows = (table: string) => {
    const db = new Database(join(t.dir, DATABASE_FILE), { readonly: true });
    try {
      return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('lists who sent what and when, newest first, each with its replies oldest first', () => {
    t.clock.now = 1_000;
    send('c1', 'agent-01', 'demo', { from: 'bob', args: { step: 3 } });
    t.clock.now = 2_000;
    send('c2');
    t.clock.now = 3_000;
    log().recordReply('demo', 'agent-01', { commandId: 'c1', status: 'accepted' });
    t.clock.now = 4_000;
    log().recordReply('demo', 'agent-01', { commandId: 'c1', status: 'done', detail: 'paused' });
    expect(log().page('demo', 'agent-01', { limit: 10 })).toEqual({
      commands: [
        { id: 'c2', command: 'pause', from: 'alice', sentAt: 2_000, replies: [] },
        {
          id: 'c1',
          command: 'pause',
          from: 'bob',
          sentAt: 1_000,
          hasArgs: true,
          replies: [
            { status: 'accepted', receivedAt: 3_000 },
            { status: 'done', detail: 'paused', receivedAt: 4_000 },
          ],
        },
      ],
      nextCursor: null,
    });
  });

  it('keeps a command once per id (a redelivery), per agent and org', () => {
    expect(send('c1')).toBe(true);
    expect(send('c1')).toBe(false);
    expect(send('c1', 'agent-01', 'demo', { from: 'mallory', command: 'cancel' })).toBe(false);
    expect(send('c1', 'agent-02')).toBe(true);
    expect(send('c1', 'agent-01', 'acme')).toBe(true);
    expect(log().page('demo', 'agent-01', { limit: 10 }).commands).toEqual([
      { id: 'c1', command: 'pause', from: 'alice', sentAt: t.clock.now, replies: [] },
    ]);
    expect(listed('agent-02')).toEqual(['c1']);
    expect(listed('agent-01', 'acme')).toEqual(['c1']);
    expect(listed('agent-03')).toEqual([]);
  });

  it('keeps a reply only with the agent’s own command of that id, and a redelivery once', () => {
    send('c1');
    send('c2', 'agent-02');
    send('c3', 'agent-01', 'acme');
    const reply = (agent: string, commandId: string, org = 'demo', detail?: string) =>
      log().recordReply(org, agent, {
        commandId,
        status: 'accepted',
        ...(detail === undefined ? {} : { detail }),
      });
    expect(reply('agent-01', 'c1')).toBe(true);
    expect(reply('agent-01', 'c1')).toBe(false); // QoS 1 again
    expect(reply('agent-01', 'c1', 'demo', 'on it')).toBe(true); // another reply
    expect(reply('agent-01', 'c2')).toBe(false); // another agent's command
    expect(reply('agent-01', 'c3')).toBe(false); // another org's
    expect(reply('agent-01', 'unknown')).toBe(false); // none at all
    expect(listed()).toEqual(['c1: accepted, accepted']);
    expect(listed('agent-02')).toEqual(['c2']);
    expect(listed('agent-01', 'acme')).toEqual(['c3']);
  });

  it('marks when the agent left the commands it accepted unfinished, its own alone, again only after it took one up again', () => {
    const reply = (
      commandId: string,
      status: AgentReply['status'],
      agent = 'agent-01',
      org = 'demo',
    ) => log().recordReply(org, agent, { commandId, status });
    /** The agent's commands marked, by id, with when. */
    const marked = (agent = 'agent-01', org = 'demo') =>
      Object.fromEntries(
        log()
          .page(org, agent, { limit: 10 })
          .commands.flatMap((c) => (c.agentLeftAt === undefined ? [] : [[c.id, c.agentLeftAt]])),
      );
    for (const id of ['accepted', 'done', 'failed', 'unanswered', 'done-only', 'redelivered'])
      send(id);
    reply('accepted', 'accepted');
    reply('done', 'accepted');
    reply('done', 'done');
    reply('failed', 'accepted');
    reply('failed', 'failed');
    reply('done-only', 'done');
    reply('redelivered', 'done');
    reply('redelivered', 'accepted'); // its result came first: finished all the same
    send('accepted', 'agent-02');
    reply('accepted', 'accepted', 'agent-02');
    send('accepted', 'agent-01', 'acme');
    reply('accepted', 'accepted', 'agent-01', 'acme');

    expect(log().markAgentLeft('demo', 'agent-01', 5_000)).toBe(1);
    expect(marked()).toEqual({ accepted: 5_000 });
    expect(marked('agent-02')).toEqual({});
    expect(marked('agent-01', 'acme')).toEqual({});

    // Offline again (another will): the earliest is kept; one accepted since is marked.
    reply('unanswered', 'accepted');
    expect(log().markAgentLeft('demo', 'agent-01', 6_000)).toBe(1);
    expect(log().markAgentLeft('demo', 'agent-01', 7_000)).toBe(0);
    expect(marked()).toEqual({ accepted: 5_000, unanswered: 6_000 });
    // Taken up again on its return (an accepted since): unmarked, and marked when it leaves
    // again, so a dashboard loaded then sees it left after that accepted.
    log().recordReply('demo', 'agent-01', {
      commandId: 'unanswered',
      status: 'accepted',
      detail: 'resuming',
    });
    expect(marked()).toEqual({ accepted: 5_000 });
    expect(log().markAgentLeft('demo', 'agent-01', 8_000)).toBe(1);
    expect(marked()).toEqual({ accepted: 5_000, unanswered: 8_000 });
    // A result since does not unmark it (the app lets the result win).
    reply('accepted', 'done');
    expect(marked()).toEqual({ accepted: 5_000, unanswered: 8_000 });
  });

  it('marks an agent’s leaving through the unfinished commands alone (EXPLAIN QUERY PLAN)', () => {
    // An agent with a full log, most of it finished, and another agent's.
    t.storage.transaction(() => {
      for (let n = 0; n < MAX_LOGGED_COMMANDS_PER_AGENT; n++) {
        for (const agent of ['agent-01', 'agent-02']) {
          send(`c${n}`, agent);
          log().recordReply('demo', agent, { commandId: `c${n}`, status: 'accepted' });
          if (n % 10 !== 0)
            log().recordReply('demo', agent, { commandId: `c${n}`, status: 'done' });
        }
      }
    });
    const db = new Database(t.storage.file);
    try {
      const explain = db.prepare(`EXPLAIN QUERY PLAN ${PLANNED_SQL.markLeft}`);
      const plan = () =>
        (explain.all(1, 'demo', 'agent-01') as { detail: string }[]).map((row) => row.detail);
      // As the server runs (it never ANALYZEs), and with the statistics a DBA might gather.
      for (const analyze of [false, true]) {
        if (analyze) db.exec('ANALYZE');
        expect(plan()).toEqual([
          'SEARCH agent_commands USING INDEX agent_commands_unfinished (org_id=? AND agent_id=?)',
        ]);
      }
    } finally {
      db.close();
    }
  });

  it(`keeps the last ${MAX_LOGGED_COMMANDS_PER_AGENT} commands of each agent, their replies going with the rest`, () => {
    for (let n = 1; n <= MAX_LOGGED_COMMANDS_PER_AGENT + 5; n++) {
      send(`c${n}`);
      log().recordReply('demo', 'agent-01', { commandId: `c${n}`, status: 'done' });
    }
    send('other', 'agent-02');
    const ids = listed().map((entry) => entry.split(':')[0]);
    expect(ids).toHaveLength(MAX_LOGGED_COMMANDS_PER_AGENT);
    expect(ids[0]).toBe(`c${MAX_LOGGED_COMMANDS_PER_AGENT + 5}`);
    expect(ids.at(-1)).toBe('c6');
    expect(listed('agent-02')).toEqual(['other']);
    expect(countRows('agent_commands')).toBe(MAX_LOGGED_COMMANDS_PER_AGENT + 1);
    expect(countRows('agent_replies')).toBe(MAX_LOGGED_COMMANDS_PER_AGENT);
  });

  it(`keeps the latest ${MAX_LOGGED_REPLIES_PER_COMMAND} replies of a command`, () => {
    send('c1');
    for (let n = 1; n <= MAX_LOGGED_REPLIES_PER_COMMAND + 3; n++) {
      log().recordReply('demo', 'agent-01', {
        commandId: 'c1',
        status: 'accepted',
        detail: `${n}`,
      });
    }
    const [kept] = log().page('demo', 'agent-01', { limit: 1 }).commands;
    const details = kept?.replies.map((r) => r.detail);
    expect(details).toHaveLength(MAX_LOGGED_REPLIES_PER_COMMAND);
    expect(details?.[0]).toBe('4');
    expect(details?.at(-1)).toBe(`${MAX_LOGGED_REPLIES_PER_COMMAND + 3}`);
  });

  it('holds this very command (a resend), not another one under its id', () => {
    const ping = command('x1', { command: 'ping', args: { token: 'rotate-me', n: 1 } });
    send('x1', 'agent-01', 'demo', ping);
    send('bare');
    const holds = (sent: AgentCommand, agent = 'agent-01', org = 'demo') =>
      log().holds(org, agent, sent);
    expect(holds(ping)).toBe(true);
    expect(holds(command('bare'))).toBe(true);
    expect(holds({ ...ping, from: 'mallory' })).toBe(false);
    expect(holds({ ...ping, command: 'cancel' })).toBe(false);
    expect(holds({ ...ping, args: { token: 'another', n: 1 } })).toBe(false);
    expect(holds({ ...ping, args: {} })).toBe(false);
    expect(holds(command('x1', { command: 'ping' }))).toBe(false); // without its args
    expect(holds(command('bare', { args: {} }))).toBe(false); // with args it had not
    expect(holds(ping, 'agent-02')).toBe(false);
    expect(holds(ping, 'agent-01', 'acme')).toBe(false);
    expect(holds(command('unknown'))).toBe(false);
  });

  it('refuses args it cannot digest (nested past what the contract lets in) as input, keeping nothing', () => {
    // The contract refuses these (MAX_ARGS_DEPTH); the store must still say "refused", not
    // fail: a RangeError read as a failing store made every message lookup answer 503.
    let deep: unknown = 1;
    for (let level = 0; level < 50_000; level++) deep = [deep];
    const hostile = command('deep', { args: { a: deep } });
    expect(refusal(() => log().recordCommand('demo', 'agent-01', hostile))).toBe(
      'invalid_argument',
    );
    expect(listed()).toEqual([]);
    send('deep', 'agent-01', 'demo', { args: { step: 1 } });
    expect(listed()).toEqual(['deep']);
    // Asked whether it is a resend of the command kept under its id: refused alike.
    expect(refusal(() => log().holds('demo', 'agent-01', hostile))).toBe('invalid_argument');
  });

  it('keeps no args, only whether there were some: neither the page nor the file has them', () => {
    const secret = 'tok-3f9a1c77e2b04d58';
    send('rotate', 'agent-01', 'demo', { command: 'rotate', args: { token: secret } });
    send('twice', 'agent-01', 'demo', { command: 'rotate', args: { token: secret } });
    send('none');
    const page = log().page('demo', 'agent-01', { limit: 10 });
    expect(page.commands.map(({ id, hasArgs }) => [id, hasArgs])).toEqual([
      ['none', undefined],
      ['twice', true],
      ['rotate', true],
    ]);
    for (const logged of page.commands) expect(logged).not.toHaveProperty('args');
    expect(JSON.stringify(page)).not.toContain(secret);
    // Nor the file (and its write-ahead log), read while the store has it open.
    const db = new Database(join(t.dir, DATABASE_FILE), { readonly: true });
    try {
      const columns = db.prepare('SELECT name FROM pragma_table_info(?)').all('agent_commands');
      expect(columns.map((c) => (c as { name: string }).name)).not.toContain('args');
      for (const file of readdirSync(t.dir)) {
        expect(readFileSync(join(t.dir, file)).includes(secret), file).toBe(false);
      }
      // The same args in two commands do not show as the same in the file either.
      const digests = db
        .prepare("SELECT args_digest AS d FROM agent_commands WHERE command = 'rotate'")
        .all() as { d: string }[];
      expect(new Set(digests.map((row) => row.d)).size).toBe(2);
    } finally {
      db.close();
    }
  });

  it('pages back with nextCursor, and refuses what is no cursor or limit', () => {
    for (let n = 1; n <= 5; n++) send(`c${n}`);
    const first = log().page('demo', 'agent-01', { limit: 2 });
    expect(first.commands.map((c) => c.id)).toEqual(['c5', 'c4']);
    const second = log().page('demo', 'agent-01', { limit: 2, before: first.nextCursor ?? '' });
    expect(second.commands.map((c) => c.id)).toEqual(['c3', 'c2']);
    const third = log().page('demo', 'agent-01', { limit: 2, before: second.nextCursor ?? '' });
    expect(third).toMatchObject({ commands: [{ id: 'c1' }], nextCursor: null });
    for (const before of ['abc', '0', '-1', '1.5', '99999999999999999999']) {
      expect(refusal(() => log().page('demo', 'agent-01', { limit: 2, before }))).toBe(
        'invalid_cursor',
      );
    }
    for (const limit of [0, MAX_LOGGED_COMMANDS_PER_AGENT + 1, 1.5]) {
      expect(refusal(() => log().page('demo', 'agent-01', { limit }))).toBe('invalid_argument');
    }
  });

  it('refuses ids that are none', () => {
    expect(refusal(() => log().recordCommand('demo', 'Agent', command('c1')))).toBe('invalid_id');
    expect(refusal(() => log().recordCommand('de/mo', 'agent-01', command('c1')))).toBe(
      'invalid_id',
    );
    expect(
      refusal(() =>
        log().recordReply('demo', '__proto__', { commandId: 'c1', status: 'accepted' }),
      ),
    ).toBe('invalid_id');
  });

  it('forgets an agent’s whole log, its replies with it, and no other agent’s', () => {
    send('c1');
    log().recordReply('demo', 'agent-01', { commandId: 'c1', status: 'done' });
    send('c2');
    send('c3', 'agent-02');
    send('c4', 'agent-01', 'acme');
    expect(log().forgetAgent('demo', 'agent-01')).toBe(2);
    expect(listed()).toEqual([]);
    expect(countRows('agent_replies')).toBe(0);
    expect(listed('agent-02')).toEqual(['c3']);
    expect(listed('agent-01', 'acme')).toEqual(['c4']);
  });

  it('prunes commands received before the retention, with their replies', () => {
    t.clock.now = 1_000;
    send('old');
    log().recordReply('demo', 'agent-01', { commandId: 'old', status: 'done' });
    t.clock.now = 5_000;
    send('new');
    log().recordReply('demo', 'agent-01', { commandId: 'new', status: 'done' });
    expect(log().prune(5_000)).toBe(1);
    expect(listed()).toEqual(['new: done']);
    expect(countRows('agent_replies')).toBe(1);
  });

  it('is added to a database of the previous schema, whose data stays', () => {
    t.storage.users.addOrg('demo');
    t.storage.history.record('demo', 'general', { id: 'm1', from: 'alice', text: 'hi', sentAt: 1 });
    t.storage.close();
    downgradeSchema(t.dir, SCHEMA_BEFORE_COMMAND_LOGS);
    const before = new Database(join(t.dir, DATABASE_FILE), { readonly: true });
    const tables = before
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'agent_%'")
      .all();
    before.close();
    expect(tables).toEqual([]);

    t.storage = openStorage(t.dir, { now: () => t.clock.now });
    expect(t.storage.history.count('demo', 'general')).toBe(1);
    expect(listed()).toEqual([]);
    send('c1');
    log().recordReply('demo', 'agent-01', { commandId: 'c1', status: 'accepted' });
    expect(listed()).toEqual(['c1: accepted']);
  });
});
