import {
  validateNewAclRule,
  type AclAction,
  type AclPermission,
  type AclRule,
} from '../../../../shared/acl';
import { validateTopicFilter } from '../../../../shared/topic-filter';

/** A rule being edited; `key` keeps React's rows stable while rules move. */
export interface RuleDraft extends AclRule {
  key: number;
}

let nextKey = 1;

export function toDrafts(rules: readonly AclRule[]): RuleDraft[] {
  return rules.map((rule) => ({ ...rule, key: nextKey++ }));
}

export function newDraft(): RuleDraft {
  return { key: nextKey++, permission: 'deny', action: 'publish', topic: '' };
}

export const PERMISSIONS: readonly AclPermission[] = ['allow', 'deny'];
export const ACTIONS: readonly AclAction[] = ['publish', 'subscribe', 'all'];

/**
 * What is wrong with the draft, by the rules the server applies (the shared validators),
 * so a mistake shows while typing rather than after a round trip.
 */
export function draftError(draft: AclRule): string | null {
  const topicError = validateTopicFilter(draft.topic);
  if (topicError) return topicError.message;
  const result = validateNewAclRule({
    permission: draft.permission,
    action: draft.action,
    topic: draft.topic,
  });
  return result.ok ? null : result.error;
}

export function toRules(drafts: readonly RuleDraft[]): AclRule[] {
  return drafts.map(({ permission, action, topic }) => ({ permission, action, topic }));
}

export function describeRule(rule: AclRule): string {
  return `${rule.permission} ${rule.action} ${rule.topic}`;
}
