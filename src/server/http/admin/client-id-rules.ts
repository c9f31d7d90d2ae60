import { expandTopic, widenedTopic, type AclRule } from '../../../shared/acl';
import { filterContains, filtersIntersect, topicMatches } from '../../../shared/topic-filter';

/**
 * For an ACL check made without a client id: the rules naming ${clientid} that were
 * skipped but would apply to `topicOrFilter` for some client id of `username`, as the
 * broker would apply them (evaluateAcl). Pass the rules ahead of the deciding one: a rule
 * after it could not change the answer.
 */
export function clientIdRules(
  rules: readonly AclRule[],
  action: 'publish' | 'subscribe',
  topicOrFilter: string,
  username: string,
): AclRule[] {
  const applies = (rule: AclRule, topic: string) =>
    action === 'publish'
      ? topicMatches(topic, topicOrFilter)
      : rule.permission === 'deny'
        ? filtersIntersect(topic, topicOrFilter)
        : filterContains(topic, topicOrFilter);
  const levels = topicOrFilter.split('/');
  return rules.filter((rule) => {
    if (rule.action !== action && rule.action !== 'all') return false;
    if (!rule.topic.includes('${clientid}')) return false;
    if (rule.permission === 'deny') {
      // Any client id: one it cannot hold widens the rule over its level, or over the rest
      // when it holds a `/`; that covers every id it can hold too.
      return ['+', 'a/b'].some((id) =>
        applies(rule, widenedTopic(rule.topic, { username, clientid: id })),
      );
    }
    // An allow rule applies only with an id it can hold: the one the topic names there.
    return candidateIds(rule.topic, levels, username).some((clientid) => {
      const topic = expandTopic(rule.topic, { username, clientid });
      return topic !== null && applies(rule, topic);
    });
  });
}

/** What each ${clientid} of the template reads as in the asked topic's level. */
function candidateIds(template: string, levels: readonly string[], username: string): string[] {
  const ids: string[] = [];
  template.split('/').forEach((level, index) => {
    if (!level.includes('${clientid}')) return;
    const match = levelPattern(level, username).exec(levels[index] ?? '');
    if (match?.[1] !== undefined) ids.push(match[1]);
  });
  return ids;
}

function levelPattern(level: string, username: string): RegExp {
  const source = level
    .split(/(\$\{(?:username|clientid)\})/)
    .map((part) =>
      part === '${clientid}' ? '(.+)' : escapeRegExp(part === '${username}' ? username : part),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
