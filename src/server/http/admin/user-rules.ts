import type { FastifyInstance } from 'fastify';
import { validateNewAclRule, type AclRule } from '../../../shared/acl';
import { ApiError } from '../errors';
import type { HttpDeps } from '../http-deps';
import { unknownFieldError } from '../parse-body';
import { authOf } from '../require-session';
import { applyCurrentRules } from './live-effects';
import { findUser } from './target-user';

// Every publish and subscribe walks the list: a bound keeps that cheap.
export const MAX_EXTRA_RULES = 100;

const RULE_FIELDS: ReadonlySet<string> = new Set(['permission', 'action', 'topic']);

function parseRules(body: unknown): AclRule[] {
  if (!Array.isArray(body)) {
    throw new ApiError(
      400,
      'invalid_body',
      'send a JSON array of rules: [{"permission","action","topic"}]',
    );
  }
  if (body.length > MAX_EXTRA_RULES) {
    throw new ApiError(400, 'too_many_rules', `at most ${MAX_EXTRA_RULES} extra rules per user`);
  }
  return body.map((rule: unknown, index) => {
    // The rule's shape is shared with tokens and stored rules (validateAclRule), which may
    // not be strict; what an admin sends now is.
    if (rule !== null && typeof rule === 'object' && !Array.isArray(rule)) {
      const unknown = Object.keys(rule).filter((key) => !RULE_FIELDS.has(key));
      if (unknown.length > 0) throw unknownFieldError(unknown, String(index));
    }
    const result = validateNewAclRule(rule);
    if (!result.ok) {
      throw new ApiError(400, 'invalid_rule', `rule ${index}: ${result.error}`, {
        index,
        reason: result.error,
      });
    }
    const { permission, action, topic } = result.rule;
    return { permission, action, topic };
  });
}

export function userRulesRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage } = deps;

  app.put<{ Params: { user: string } }>('/users/:user/rules', async (request) => {
    const auth = authOf(request);
    const record = findUser(storage, auth.org, request.params.user);
    const rules = parseRules(request.body);
    const before = storage.users.extraRules(auth.org, record.user);
    storage.users.setExtraRules(auth.org, record.user, rules);
    const live = await applyCurrentRules(deps, record);
    storage.audit.record(auth.org, {
      actor: auth.user,
      action: 'user.rules',
      target: record.user,
      detail: { from: before, to: rules, ...live },
    });
    return { user: record.user, rules, ...live };
  });
}
