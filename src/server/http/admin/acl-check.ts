import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { evaluateAcl, evaluateSubscribe, type AclRule } from '../../../shared/acl';
import { validateTopicFilter, validateTopicName } from '../../../shared/topic-filter';
import { ApiError } from '../errors';
import type { HttpDeps } from '../http-deps';
import { parseBody } from '../parse-body';
import { authOf } from '../require-session';
import { effectiveRules } from '../../auth/effective-rules';
import { clientIdRules } from './client-id-rules';
import { findUser } from './target-user';

const checkSchema = z.strictObject({
  user: z.string(),
  action: z.string(),
  topic: z.string(),
  /** For rules with ${clientid}; without it those rules never apply. */
  clientId: z.string().optional(),
});

export function aclCheckRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage } = deps;

  // "Can <user> publish/subscribe <topic>?", answered by the evaluators the broker uses.
  app.post('/acl-check', async (request) => {
    const { org } = authOf(request);
    const body = parseBody(checkSchema, request.body);
    const { action } = body;
    if (action !== 'publish' && action !== 'subscribe') {
      throw new ApiError(400, 'invalid_action', 'action must be publish or subscribe');
    }
    const record = findUser(storage, org, body.user);
    const topicError =
      action === 'publish' ? validateTopicName(body.topic) : validateTopicFilter(body.topic);
    if (topicError) throw new ApiError(400, 'invalid_topic', topicError.message);
    const extra = storage.users.extraRules(org, record.user);
    const rules = effectiveRules(storage.users, record);
    const vars = {
      username: record.user,
      // No client id: ${clientid} rules do not apply. One a deny rule cannot hold widens
      // it to whatever the id could have been, as in the broker (ruleTopic in acl.ts).
      clientid: body.clientId ?? '',
    };
    // A subscription may be granted with part of it excluded (evaluateSubscribe).
    const decision: { allowed: boolean; rule: AclRule | null; excluded?: AclRule[] } =
      action === 'subscribe'
        ? evaluateSubscribe(rules, body.topic, vars)
        : evaluateAcl(rules, action, body.topic, vars);
    const index = decision.rule ? rules.indexOf(decision.rule) : -1;
    return {
      allowed: decision.allowed,
      rule: decision.rule,
      excluded: decision.allowed ? (decision.excluded ?? []) : [],
      // Those ahead of the deciding rule only: one after it could not change the answer.
      clientIdRules: body.clientId
        ? []
        : clientIdRules(
            rules.slice(0, index < 0 ? undefined : index),
            action,
            body.topic,
            record.user,
          ),
      source: index < 0 ? 'default' : index < extra.length ? 'extra' : 'role',
      role: record.role,
      disabled: record.disabled,
    };
  });
}
