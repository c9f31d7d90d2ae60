import { describe, expect, it } from 'vitest';
import type { AclRule } from '../../../src/shared/acl';
import { RuleChanges } from '../../../src/server/broker/rule-changes';

const deny: AclRule = { permission: 'deny', action: 'all', topic: 'chat/general/#' };

describe('RuleChanges', () => {
  it('reports a change made after a CONNECT began, for that user only', () => {
    const changes = new RuleChanges();
    const client = {};
    changes.connecting(client);
    changes.changed('demo', 'dana', [deny]);
    expect(changes.missedBy(client, 'demo', 'dana')).toEqual([deny]);
    expect(changes.missedBy(client, 'demo', 'erin')).toBeNull();
    expect(changes.missedBy(client, 'other', 'dana')).toBeNull();
  });

  it('reports nothing for a CONNECT that began after the change, or was never noted', () => {
    const changes = new RuleChanges();
    changes.changed('demo', 'dana', [deny]);
    const later = {};
    changes.connecting(later);
    expect(changes.missedBy(later, 'demo', 'dana')).toBeNull();
    expect(changes.missedBy({}, 'demo', 'dana')).toBeNull();
  });

  it('hands out copies of the latest rules', () => {
    const changes = new RuleChanges();
    const client = {};
    changes.connecting(client);
    const rules = [deny];
    changes.changed('demo', 'dana', rules);
    changes.changed('demo', 'dana', []);
    rules.push(deny);
    const missed = changes.missedBy(client, 'demo', 'dana');
    expect(missed).toEqual([]);
    missed?.push(deny);
    expect(changes.missedBy(client, 'demo', 'dana')).toEqual([]);
  });
});
