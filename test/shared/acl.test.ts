import { describe, expect, it } from 'vitest';
import {
  APP_ROLES,
  canUseApp,
  evaluateAcl,
  evaluateSubscribe,
  expandTopic,
  ROLES,
  roleRules,
  validateAclRule,
  validateNewAclRule,
  type AclRule,
  type Role,
} from '../../src/shared/acl';

const vars = (username: string, clientid = `${username}-1`) => ({ username, clientid });

describe('role templates', () => {
  it.each<[Role, 'publish' | 'subscribe', string, boolean]>([
    ['member', 'publish', 'chat/general/messages', true],
    ['member', 'publish', 'chat/general/typing', true],
    ['member', 'subscribe', 'chat/+/+', true],
    ['member', 'subscribe', 'chat/#', false], // wider than chat/+/+
    ['member', 'subscribe', '#', false],
    ['member', 'publish', 'presence/alice/alice-1', true],
    ['member', 'publish', 'presence/bob/bob-1', false],
    ['member', 'publish', 'presence/alice/alice-2', false], // another connection's
    ['member', 'subscribe', 'presence/+/+', true],
    ['member', 'subscribe', 'notifications/alice', true],
    ['member', 'subscribe', 'notifications/bob', false],
    ['member', 'subscribe', 'notifications/+', false],
    ['member', 'subscribe', 'notifications/#', false],
    ['member', 'publish', 'notifications/bob', false],
    ['member', 'publish', 'agents/agent-01/inbox', true],
    ['member', 'publish', 'agents/agent-01/state', false],
    ['member', 'subscribe', 'agents/+/state', true],
    ['member', 'subscribe', 'agents/+/inbox', false],
    ['member', 'subscribe', '$SYS/#', false],
    ['admin', 'subscribe', '$SYS/#', true],
    ['admin', 'publish', 'notifications/bob', true],
    ['admin', 'subscribe', 'notifications/bob', false],
    ['admin', 'publish', '$SYS/x', false],
    ['agent', 'publish', 'agents/alice/state', true],
    ['agent', 'publish', 'agents/alice/replies', true],
    ['agent', 'publish', 'agents/other/state', false],
    ['agent', 'subscribe', 'agents/alice/inbox', true],
    ['agent', 'subscribe', 'agents/+/inbox', false],
    ['agent', 'subscribe', 'agents/other/inbox', false],
    ['agent', 'publish', 'chat/general/messages', false],
    ['service', 'publish', 'notifications/bob', true],
    ['service', 'subscribe', 'notifications/bob', false],
    ['service', 'subscribe', 'agents/+/state', true],
  ])('%s %s %s → %s', (role, action, topic, allowed) => {
    expect(evaluateAcl(roleRules(role), action, topic, vars('alice')).allowed).toBe(allowed);
  });
});

describe('canUseApp: the roles that may sign in to the web app', () => {
  // What the app does once connected (src/client: its connection and message router).
  const APP_NEEDS: ['publish' | 'subscribe', string][] = [
    ['publish', 'presence/alice/alice-1'], // its Last Will, checked at CONNECT
    ['subscribe', 'presence/+/+'],
    ['subscribe', 'notifications/alice'],
    ['subscribe', 'chat/+/+'],
    ['publish', 'chat/general/messages'],
    ['publish', 'chat/general/typing'],
    ['subscribe', 'agents/+/state'],
    ['subscribe', 'agents/+/replies'],
    ['publish', 'agents/agent-01/inbox'],
  ];
  const templateAllowsApp = (role: Role) =>
    APP_NEEDS.every(
      ([action, topic]) => evaluateAcl(roleRules(role), action, topic, vars('alice')).allowed,
    );

  it.each(ROLES)('%s: exactly when its template allows all the app does', (role) => {
    expect(canUseApp(role)).toBe(templateAllowsApp(role));
  });

  it('is members and admins', () => {
    expect([...APP_ROLES].sort()).toEqual(['admin', 'member']);
  });
});

describe('evaluateAcl ordering and containment', () => {
  const rules: AclRule[] = [
    { permission: 'deny', action: 'subscribe', topic: 'chat/secret/+' },
    { permission: 'allow', action: 'all', topic: 'chat/#' },
  ];

  it.each<['publish' | 'subscribe', string, boolean, number | null]>([
    ['subscribe', 'chat/general/messages', true, 1],
    ['subscribe', 'chat/secret/messages', false, 0],
    ['subscribe', 'chat/+/messages', false, 0], // could match chat/secret/messages
    ['subscribe', 'chat/#', false, 0],
    ['publish', 'chat/secret/messages', true, 1], // the deny is subscribe-only
    ['publish', 'other', false, null],
  ])('%s %s → %s by rule %s', (action, topic, allowed, ruleIndex) => {
    const decision = evaluateAcl(rules, action, topic, vars('alice'));
    expect(decision.allowed).toBe(allowed);
    expect(decision.rule).toBe(ruleIndex === null ? null : rules[ruleIndex]);
  });

  it('denies by default with no rules', () => {
    expect(evaluateAcl([], 'publish', 'x', vars('alice'))).toEqual({ allowed: false, rule: null });
  });
});

describe('evaluateSubscribe: what the broker grants', () => {
  const denySecret: AclRule = { permission: 'deny', action: 'subscribe', topic: 'chat/secret/#' };
  const denyBoss: AclRule = { permission: 'deny', action: 'all', topic: 'presence/boss/+' };
  const rules: AclRule[] = [denySecret, denyBoss, ...roleRules('member')];
  const subscribe = (filter: string) => evaluateSubscribe(rules, filter, vars('alice'));

  it('grants a filter a deny rule covers only part of, naming what it excludes', () => {
    const decision = subscribe('chat/+/+');
    expect(decision.allowed).toBe(true);
    expect(decision.rule).toEqual({ permission: 'allow', action: 'subscribe', topic: 'chat/+/+' });
    expect(decision.excluded).toEqual([denySecret]);
    expect(subscribe('presence/+/+').excluded).toEqual([denyBoss]);
    // The strict answer (every topic readable) is still no.
    expect(evaluateAcl(rules, 'subscribe', 'chat/+/+', vars('alice')).allowed).toBe(false);
  });

  it('excludes nothing from a filter no deny rule touches', () => {
    expect(subscribe('agents/+/state')).toMatchObject({ allowed: true, excluded: [] });
    expect(subscribe('chat/general/+')).toMatchObject({ allowed: true, excluded: [] });
  });

  it('refuses a filter a deny rule contains whole', () => {
    expect(subscribe('chat/secret/messages')).toMatchObject({ allowed: false, rule: denySecret });
    expect(subscribe('chat/secret/+')).toMatchObject({ allowed: false, rule: denySecret });
  });

  it('still refuses a filter no allow rule contains, however the denies overlap it', () => {
    const denyAll = { permission: 'deny', action: 'all', topic: '#' };
    expect(subscribe('chat/#')).toMatchObject({ allowed: false, rule: denyAll });
    expect(subscribe('#')).toMatchObject({ allowed: false, rule: denyAll });
    expect(evaluateSubscribe([denySecret], 'chat/+/+', vars('alice'))).toEqual({
      allowed: false,
      rule: null,
      excluded: [denySecret],
    });
    expect(subscribe('notifications/+')).toMatchObject({ allowed: false });
  });

  it('each topic it delivers is then decided as evaluateAcl decides it', () => {
    const canRead = (topic: string) =>
      evaluateAcl(rules, 'subscribe', topic, vars('alice')).allowed;
    expect(canRead('chat/general/messages')).toBe(true);
    expect(canRead('chat/secret/messages')).toBe(false);
    expect(canRead('presence/boss/boss-1')).toBe(false);
  });

  it('a deny rule after the allow rule excludes nothing (the first applicable rule wins)', () => {
    const later: AclRule[] = [...roleRules('member').slice(0, -1), denySecret];
    expect(evaluateSubscribe(later, 'chat/+/+', vars('alice'))).toMatchObject({
      allowed: true,
      excluded: [],
    });
  });
});

describe('placeholders', () => {
  it.each([
    ['presence/${username}/${clientid}', vars('alice', 'tab-1'), 'presence/alice/tab-1'],
    ['x/${clientid}', vars('alice', 'a+b'), null], // would turn into a wildcard level
    ['x/${clientid}', vars('alice', 'a/b'), null],
    ['x/${clientid}', vars('alice', '#'), null],
    ['x/${username}', vars('Alice'), null],
  ])('%s with %j → %s', (template, v, expected) => {
    expect(expandTopic(template, v)).toBe(expected);
  });

  it('a hostile client id cannot widen a ${clientid} rule', () => {
    const rules: AclRule[] = [
      { permission: 'allow', action: 'publish', topic: 'devices/${clientid}' },
    ];
    expect(evaluateAcl(rules, 'publish', 'devices/other', vars('alice', '+')).allowed).toBe(false);
    expect(evaluateAcl(rules, 'publish', 'devices/d1', vars('alice', 'd1')).allowed).toBe(true);
  });

  it('a ${clientid} deny rule covers whatever a client id it cannot hold could have been', () => {
    const rules: AclRule[] = [
      { permission: 'deny', action: 'publish', topic: 'devices/${clientid}/firmware' },
      { permission: 'allow', action: 'publish', topic: 'devices/#' },
    ];
    const publish = (topic: string, clientid: string) =>
      evaluateAcl(rules, 'publish', topic, vars('alice', clientid)).allowed;
    expect(publish('devices/d1/firmware', 'd1')).toBe(false);
    expect(publish('devices/d1/state', 'd1')).toBe(true);
    // Capitals: no valid id, so devices/+/firmware, and only that.
    expect(publish('devices/Mosq-1/firmware', 'Mosq-1')).toBe(false);
    expect(publish('devices/other/firmware', 'Mosq-1')).toBe(false);
    expect(publish('devices/Mosq-1/state', 'Mosq-1')).toBe(true);
    // 'a/b' would make devices/a/b/firmware: devices/# is denied, the rule's whole scope.
    expect(publish('devices/a/b/firmware', 'a/b')).toBe(false);
    expect(publish('devices/a/state', 'a/b')).toBe(false);
    // No client id at all (an HTTP check): the rule does not apply.
    expect(publish('devices/d1/firmware', '')).toBe(true);
  });

  it('a widened ${clientid} deny rule refuses only the subscriptions it overlaps', () => {
    const rules: AclRule[] = [
      { permission: 'deny', action: 'subscribe', topic: 'devices/${clientid}/cmd' },
      { permission: 'allow', action: 'subscribe', topic: 'chat/+/+' },
      { permission: 'allow', action: 'subscribe', topic: 'devices/#' },
    ];
    const subscribe = (filter: string) =>
      evaluateAcl(rules, 'subscribe', filter, vars('alice', 'ESP32-A1')).allowed;
    expect(subscribe('chat/+/+')).toBe(true);
    expect(subscribe('devices/x/state')).toBe(true);
    expect(subscribe('devices/ESP32-A1/cmd')).toBe(false);
    expect(subscribe('devices/#')).toBe(false);
  });
});

describe('validateAclRule', () => {
  it.each([
    [{ permission: 'allow', action: 'publish', topic: 'chat/+/messages' }, true],
    [{ permission: 'deny', action: 'all', topic: '#' }, true],
    [{ permission: 'allow', action: 'subscribe', topic: 'notifications/${username}' }, true],
    [{ permission: 'maybe', action: 'publish', topic: 'x' }, false],
    [{ permission: 'allow', action: 'read', topic: 'x' }, false],
    [{ permission: 'allow', action: 'publish', topic: 'a/#/b' }, false],
    [{ permission: 'allow', action: 'publish', topic: '' }, false],
    [{ permission: 'allow', action: 'publish' }, false],
    ['allow all', false],
  ])('%j → %s', (rule, ok) => {
    expect(validateAclRule(rule).ok).toBe(ok);
  });
});

describe('validateNewAclRule: what an admin may write now', () => {
  const rule = (topic: string) => ({ permission: 'allow', action: 'all', topic });

  it.each([
    ['$SYS/broker/#', true],
    ['${username}/x', true],
    ['chat/${clientid}/+', true],
    ['#', true],
    ['$acme/#', false], // another org's mount point: a literal level here, nobody's topics
    ['$share/g/chat/#', false],
    ['x/${foo}', false],
    ['x/${USERNAME}', false],
    ['x/${}', false],
  ])('%s → %s', (topic, ok) => {
    expect(validateNewAclRule(rule(topic)).ok).toBe(ok);
  });

  it('says why, and what to use instead', () => {
    expect(validateNewAclRule(rule('x/${user}'))).toEqual({
      ok: false,
      error: 'topic: ${user} is not a placeholder (use ${username} or ${clientid})',
    });
  });

  it('tokens and rules already stored keep to validateAclRule alone', () => {
    expect(validateAclRule(rule('$acme/#')).ok).toBe(true);
  });
});
