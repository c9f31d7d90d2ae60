import { z } from './zod';
import { isValidId } from './ids';
import {
  filterContains,
  filtersIntersect,
  topicMatches,
  validateTopicFilter,
} from './topic-filter';

// ACL rules in EMQX 5's format, so an external EMQX can enforce the same tokens.
// Topics are as a client sees them (inside its org's mount point). Placeholders:
// ${username} is the bare user id, ${clientid} the client id the client chose.

export type AclPermission = 'allow' | 'deny';
export type AclAction = 'publish' | 'subscribe' | 'all';

export interface AclRule {
  permission: AclPermission;
  action: AclAction;
  topic: string;
}

export interface AclVars {
  username: string;
  clientid: string;
}

export interface AclDecision {
  allowed: boolean;
  /** The rule that decided; null when none applied and the default (deny) did. */
  rule: AclRule | null;
}

export const ROLES = ['member', 'agent', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}

/**
 * The roles whose users may sign in to the web app. The app connects with its presence as
 * a Last Will (refused at CONNECT unless the ACL lets the user publish it), and reads its
 * user's notifications, chat and presence: only the member and admin templates allow all of
 * that. Agents and services are programs that connect over MQTT with their password; an
 * agent may do none of it, a service neither publish its own presence nor read its own
 * notifications.
 */
export const APP_ROLES: readonly Role[] = ['member', 'admin'];

export function canUseApp(role: Role): boolean {
  return APP_ROLES.includes(role);
}

const allow = (action: AclAction, topic: string): AclRule => ({
  permission: 'allow',
  action,
  topic,
});
const DENY_ALL: AclRule = { permission: 'deny', action: 'all', topic: '#' };

const MEMBER_RULES: readonly AclRule[] = [
  allow('publish', 'chat/+/messages'), // the broker also checks `from`
  allow('publish', 'chat/+/typing'),
  allow('subscribe', 'chat/+/+'),
  allow('publish', 'presence/${username}/${clientid}'), // one per connection: its own
  allow('subscribe', 'presence/+/+'),
  allow('subscribe', 'notifications/${username}'),
  allow('subscribe', 'agents/+/state'),
  allow('subscribe', 'agents/+/replies'),
  allow('publish', 'agents/+/inbox'),
];

const ROLE_RULES: Record<Role, readonly AclRule[]> = {
  member: [...MEMBER_RULES, DENY_ALL],
  admin: [
    ...MEMBER_RULES,
    allow('publish', 'notifications/+'),
    allow('subscribe', '$SYS/#'),
    DENY_ALL,
  ],
  agent: [
    allow('publish', 'agents/${username}/state'),
    allow('publish', 'agents/${username}/replies'),
    allow('subscribe', 'agents/${username}/inbox'),
    DENY_ALL,
  ],
  service: [
    allow('publish', 'notifications/+'),
    allow('publish', 'chat/+/messages'),
    allow('subscribe', 'chat/+/+'),
    allow('subscribe', 'presence/+/+'),
    allow('subscribe', 'agents/+/state'),
    allow('subscribe', 'agents/+/replies'),
    allow('publish', 'agents/+/inbox'),
    DENY_ALL,
  ],
};

/** The rule templates of a role, with placeholders, deny-all last. */
export function roleRules(role: Role): AclRule[] {
  return ROLE_RULES[role].map((rule) => ({ ...rule }));
}

const PLACEHOLDER_NAMES: readonly (keyof AclVars)[] = ['username', 'clientid'];
const PLACEHOLDER = new RegExp(`\\$\\{(${PLACEHOLDER_NAMES.join('|')})\\}`, 'g');

/**
 * Substitutes placeholders; null when a value could widen the rule (a client id holding
 * `+`, `#` or `/` would turn a literal level into a wildcard): see ruleTopic.
 */
export function expandTopic(topic: string, vars: AclVars): string | null {
  let unsafe = false;
  const expanded = topic.replace(PLACEHOLDER, (_, name: keyof AclVars) => {
    const value = vars[name];
    if (!isValidId(value)) unsafe = true;
    return value;
  });
  return unsafe ? null : expanded;
}

/**
 * First applicable rule wins; no applicable rule means deny. For a subscription filter
 * this is the strict answer, every topic it can match readable (an allow rule contains it,
 * no earlier deny rule overlaps it); the broker grants SUBSCRIBEs by evaluateSubscribe and
 * asks this about single topics (deliveries, HTTP reads).
 */
export function evaluateAcl(
  rules: readonly AclRule[],
  action: 'publish' | 'subscribe',
  topicOrFilter: string,
  vars: AclVars,
): AclDecision {
  for (const rule of rules) {
    if (rule.action !== action && rule.action !== 'all') continue;
    const topic = ruleTopic(rule, vars);
    if (topic !== null && ruleCovers(rule, topic, action, topicOrFilter)) {
      return { allowed: rule.permission === 'allow', rule };
    }
  }
  return { allowed: false, rule: null };
}

/**
 * Whether a rule whose topic is `topic` (placeholders filled in) decides `topicOrFilter`:
 * a publish by matching it; a subscription, for an allow rule, by containing the whole
 * filter, for a deny rule by overlapping any of it.
 */
export function ruleCovers(
  rule: AclRule,
  topic: string,
  action: 'publish' | 'subscribe',
  topicOrFilter: string,
): boolean {
  if (action === 'publish') return topicMatches(topic, topicOrFilter);
  return rule.permission === 'deny'
    ? filtersIntersect(topic, topicOrFilter)
    : filterContains(topic, topicOrFilter);
}

export interface SubscribeDecision extends AclDecision {
  /**
   * Deny rules ahead of the deciding allow rule that cover part of the filter: messages on
   * the topics they cover are not delivered through it.
   */
  excluded: AclRule[];
}

/**
 * How the broker decides a SUBSCRIBE: as evaluateAcl, except that a deny rule covering
 * only part of the filter excludes that part instead of refusing the whole filter, and
 * the broker then checks each message it delivers through it (as Mosquitto does). So a
 * member denied one room still gets `chat/+/+`, with every other room in it. A deny rule
 * containing the whole filter still refuses it, and so does a filter no allow rule
 * contains (a member's `#`).
 */
export function evaluateSubscribe(
  rules: readonly AclRule[],
  filter: string,
  vars: AclVars,
): SubscribeDecision {
  const excluded: AclRule[] = [];
  for (const rule of rules) {
    if (rule.action !== 'subscribe' && rule.action !== 'all') continue;
    const topic = ruleTopic(rule, vars);
    if (topic === null) continue;
    if (rule.permission === 'deny') {
      if (filterContains(topic, filter)) return { allowed: false, rule, excluded };
      if (filtersIntersect(topic, filter)) excluded.push(rule);
    } else if (filterContains(topic, filter)) {
      return { allowed: true, rule, excluded };
    }
  }
  return { allowed: false, rule: null, excluded };
}

/** A rule's topic with its placeholders filled in; null when the rule does not apply. */
function ruleTopic(rule: AclRule, vars: AclVars): string | null {
  const topic = expandTopic(rule.topic, vars);
  if (topic !== null) return topic;
  // An allow rule never applies with a value it cannot hold, and neither does any rule
  // without a value at all (no client id over HTTP). A deny rule with a value it cannot
  // hold (a client id with `/`, `+`, `#`, capitals: password logins accept any id) covers
  // whatever that value could have been, or such an id would slip past it.
  if (rule.permission === 'allow' || lacksValue(rule.topic, vars)) return null;
  return widenedTopic(rule.topic, vars);
}

/**
 * The rule's topic with each level holding a value it cannot hold made a wildcard: `+`,
 * or `#` for that level and the rest when the value spans levels (holds a `/`).
 */
export function widenedTopic(topic: string, vars: AclVars): string {
  const levels: string[] = [];
  for (const level of topic.split('/')) {
    const values = [...level.matchAll(PLACEHOLDER)].map((m) => vars[m[1] as keyof AclVars]);
    if (values.every(isValidId)) {
      levels.push(level.replace(PLACEHOLDER, (_, name: keyof AclVars) => vars[name]));
    } else if (values.some((value) => value.includes('/'))) {
      levels.push('#');
      break;
    } else {
      levels.push('+');
    }
  }
  return levels.join('/');
}

/** Whether a placeholder of `topic` has no value (as ${clientid} over HTTP). */
function lacksValue(topic: string, vars: AclVars): boolean {
  return [...topic.matchAll(PLACEHOLDER)].some((match) => vars[match[1] as keyof AclVars] === '');
}

export const aclRuleSchema = z.object({
  permission: z.enum(['allow', 'deny']),
  action: z.enum(['publish', 'subscribe', 'all']),
  topic: z.string().check(
    z.superRefine((topic, ctx) => {
      const error = validateTopicFilter(topic);
      if (error) ctx.addIssue({ code: 'custom', message: error.message });
    }),
  ),
});

export function validateAclRule(
  rule: unknown,
): { ok: true; rule: AclRule } | { ok: false; error: string } {
  const result = aclRuleSchema.safeParse(rule);
  if (result.success) return { ok: true, rule: result.data };
  return {
    ok: false,
    error: result.error.issues.map((i) => `${i.path.join('.') || 'rule'}: ${i.message}`).join('; '),
  };
}

// `${…}` of any name: those that are not placeholders (PLACEHOLDER) stay literal text.
const ANY_PLACEHOLDER = /\$\{([^}]*)\}/g;

/**
 * What a rule an admin writes now may not say, beyond validateAclRule (which tokens and
 * rules stored before keep to): what would mean nothing, though it looks as if it did. A
 * client names topics inside its org's namespace, so `$acme/#` is no other org's topics but
 * a literal `$acme` level no client may publish to, and `${foo}` stays the text `${foo}`.
 */
export function validateNewAclRule(rule: unknown): ReturnType<typeof validateAclRule> {
  const result = validateAclRule(rule);
  if (!result.ok) return result;
  const { topic } = result.rule;
  const first = topic.split('/', 1)[0]!;
  if (first.startsWith('$') && first !== '$SYS' && !first.startsWith('${')) {
    return {
      ok: false,
      error: `topic: ${first} is not a topic anyone can use ($ topics are the broker's; of them only $SYS/… can be named, and another org's topics never)`,
    };
  }
  for (const [placeholder, name] of topic.matchAll(ANY_PLACEHOLDER)) {
    if (!(PLACEHOLDER_NAMES as readonly string[]).includes(name ?? '')) {
      return {
        ok: false,
        error: `topic: ${placeholder} is not a placeholder (use \${username} or \${clientid})`,
      };
    }
  }
  return result;
}
