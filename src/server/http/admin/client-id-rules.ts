import { expandTopic, ruleCovers, widenedTopic, type AclRule } from '../../../shared/acl';

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
  const applies = (rule: AclRule, topic: string) => ruleCovers(rule, topic, action, topicOrFilter);
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

/**
 * The client id each template level holding ${clientid} would need to read as the asked
 * topic's level: every ${clientid} of a level holds the same id, so its length follows
 * from the level's length less its literal parts. No regular expression (a level of
 * several placeholders would backtrack), linear in the level's length.
 */
function candidateIds(template: string, levels: readonly string[], username: string): string[] {
  const ids: string[] = [];
  template.split('/').forEach((level, index) => {
    const asked = levels[index];
    if (asked === undefined || !level.includes('${clientid}')) return;
    const parts = level.replaceAll('${username}', username).split('${clientid}');
    const literal = parts.reduce((sum, part) => sum + part.length, 0);
    const length = (asked.length - literal) / (parts.length - 1);
    if (!Number.isInteger(length) || length < 1) return;
    const start = parts[0]!.length;
    ids.push(asked.slice(start, start + length)); // checked whole by expanding the rule
  });
  return ids;
}
