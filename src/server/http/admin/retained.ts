import type { FastifyInstance } from 'fastify';
import { validateTopicName } from '../../../shared/topic-filter';
import { ApiError } from '../errors';
import type { HttpDeps } from '../http-deps';
import { authOf } from '../require-session';
import { requireBroker } from '../require-broker';
import { parseLimit } from '../paging';
import { optionalString } from './query-params';

const DEFAULT_RETAINED_LIMIT = 200;
const MAX_RETAINED_LIMIT = 1_000;

interface RetainedRequest {
  Querystring: Record<string, unknown>;
}

export function retainedRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage } = deps;

  // ?prefix= is a plain topic prefix (`agents/`, `presence/alice`), not a filter.
  app.get<RetainedRequest>('/retained', async (request) => {
    const { org } = authOf(request);
    const broker = requireBroker(deps);
    const prefix = optionalString(request.query.prefix, 'prefix') ?? '';
    const limit = parseLimit(request.query.limit, DEFAULT_RETAINED_LIMIT, MAX_RETAINED_LIMIT);
    return broker.admin.retained(org, prefix, limit);
  });

  app.delete<RetainedRequest>('/retained', async (request, reply) => {
    const auth = authOf(request);
    const broker = requireBroker(deps);
    const topic = optionalString(request.query.topic, 'topic');
    if (topic === undefined) {
      throw new ApiError(400, 'invalid_topic', 'give the topic to clear: ?topic=');
    }
    const topicError = validateTopicName(topic);
    if (topicError) throw new ApiError(400, 'invalid_topic', topicError.message);
    if (topic.startsWith('$')) {
      throw new ApiError(400, 'invalid_topic', '$ topics belong to the broker');
    }
    if (!(await broker.admin.hasRetained(auth.org, topic))) {
      throw new ApiError(404, 'retained_not_found', `no retained message on "${topic}"`);
    }
    await broker.admin.clearRetained(auth.org, topic);
    storage.audit.record(auth.org, { actor: auth.user, action: 'retained.clear', target: topic });
    return reply.code(204).send();
  });
}
