import { describe, expect, it } from 'vitest';
import type { AclRule } from '../../../src/shared/acl';
import { clientIdRules } from '../../../src/server/http/admin/client-id-rules';

const denyCmd: AclRule = {
  permission: 'deny',
  action: 'subscribe',
  topic: 'devices/${clientid}/cmd',
};
const allowBox: AclRule = { permission: 'allow', action: 'all', topic: 'boxes/box-${clientid}/#' };
const denyNotes: AclRule = { permission: 'deny', action: 'publish', topic: 'notes/${clientid}' };
const allowOwn: AclRule = {
  permission: 'allow',
  action: 'publish',
  topic: 'presence/${username}/${clientid}',
};
const allowPair: AclRule = {
  permission: 'allow',
  action: 'publish',
  topic: 'pairs/${clientid}-${clientid}',
};
const rules = [denyCmd, allowBox, denyNotes, allowOwn, allowPair];

describe('clientIdRules: the ${clientid} rules a check without a client id skipped', () => {
  it.each<['publish' | 'subscribe', string, AclRule[]]>([
    ['subscribe', 'devices/+/cmd', [denyCmd]],
    ['subscribe', 'devices/d1/cmd', [denyCmd]],
    // A client id holding `/` (a password login's) widens it over devices/#.
    ['subscribe', 'devices/d1/state', [denyCmd]],
    ['subscribe', 'other/d1/cmd', []],
    ['publish', 'devices/d1/cmd', []], // that deny rule is about subscribing
    ['publish', 'boxes/box-7/state', [allowBox]], // a placeholder inside a level
    ['publish', 'boxes/crate/state', []], // no client id makes box-… read crate
    ['subscribe', 'boxes/box-7/#', [allowBox]],
    ['subscribe', 'boxes/#', []], // an allow rule with a literal level cannot contain it
    ['publish', 'notes/a/b', [denyNotes]], // password logins accept a client id a/b
    ['publish', 'presence/alice/tab-1', [allowOwn]],
    ['publish', 'presence/bob/tab-1', []],
    ['publish', 'presence/alice/Tab-1', []], // not a client id the allow rule can hold
    ['publish', 'pairs/a-b-a-b', [allowPair]], // two placeholders: the id is a-b
    ['publish', 'pairs/a-b-a-c', []],
  ])('%s %s → %j', (action, topic, expected) => {
    expect(clientIdRules(rules, action, topic, 'alice')).toEqual(expected);
  });

  it('takes linear time on a long level against a rule of many placeholders', () => {
    const many: AclRule = {
      permission: 'allow',
      action: 'publish',
      topic: `x/${'${clientid}'.repeat(6)}!`,
    };
    // A backtracking pattern took seconds here; this returns at once (no timing asserted:
    // a regression would hang the test run, not slow it).
    expect(clientIdRules([many], 'publish', `x/${'a'.repeat(60_000)}!`, 'alice')).toEqual([]);
  });
});
