import type { FastifyInstance } from 'fastify';
import type { LastKnownKeys } from '../../shared/last-known-api';
import { ALL_AGENT_STATES_FILTER, ALL_PRESENCE_FILTER, parseTopic } from '../../shared/topics';
import { topicReader } from '../auth/topic-reader';
import type { HttpDeps } from './http-deps';
import { requireBroker } from './require-broker';
import { authOf, requireSession } from './require-session';

// Which last-known states exist now, among those the caller may read. A retained state
// cleared while a client was away never reaches it (a clear is not queued for anyone), so
// after a reconnect the app drops what it still shows and this list no longer has
// (src/client/app/sweep-stale-states.ts). Keys only: the states themselves come with the
// SUBSCRIBE's retained messages.
export function lastKnownRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config } = deps;
  app.get('/api/last-known', { preHandler: requireSession(storage, config) }, async (request) => {
    const auth = authOf(request);
    const broker = requireBroker(deps);
    const canRead = topicReader(storage, auth);
    const keys: LastKnownKeys = { agents: [], presence: [] };
    for (const filter of [ALL_AGENT_STATES_FILTER, ALL_PRESENCE_FILTER]) {
      // Allowed as a whole, every topic under it is (no deny overlaps it): one check, not
      // one per agent, on the event loop the broker shares.
      const readsAll = canRead(filter);
      for (const topic of broker.retainedTopics(auth.org, filter)) {
        if (!readsAll && !canRead(topic)) continue;
        const parsed = parseTopic(topic);
        if (parsed?.kind === 'agent-state') keys.agents.push(parsed.agent);
        else if (parsed?.kind === 'presence')
          keys.presence.push(`${parsed.user}/${parsed.clientId}`);
      }
    }
    return keys;
  });
}
