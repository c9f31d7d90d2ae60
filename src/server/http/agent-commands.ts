import type { FastifyInstance } from 'fastify';
import { MAX_LOGGED_COMMANDS_PER_AGENT } from '../../shared/agent-commands-api';
import { isValidId } from '../../shared/ids';
import { agentRepliesTopic } from '../../shared/topics';
import { topicReader } from '../auth/topic-reader';
import { isStorageError } from '../storage';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';
import { parseCursor, parseLimit, withCursorErrors } from './paging';
import { authOf, requireSession } from './require-session';

const DEFAULT_PAGE_LIMIT = 50;

export function agentCommandRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config } = deps;

  // An agent's recent commands, newest first, each with its replies: who sent what, when,
  // and how the agent answered. For whoever may read the agent's replies live (their ACL's
  // subscribe on agents/<agent>/replies), as the broker would deliver those: the log is
  // those replies with the commands they answer. Any agent id: the broker logs commands
  // only to agents (record-history.ts), but one removed since keeps its log until it is
  // pruned, and any other id has an empty one (which tells nobody whether it is a user).
  app.get<{ Params: { agent: string }; Querystring: Record<string, unknown> }>(
    '/api/agents/:agent/commands',
    { preHandler: requireSession(storage, config) },
    async (request) => {
      const auth = authOf(request);
      const { agent } = request.params;
      // No agent can have such an id, so none has a log: not found, whoever asks.
      if (!isValidId(agent)) {
        throw new ApiError(
          404,
          'invalid_agent_id',
          'no such agent: an agent id is 1-64 lowercase letters, digits, "-" or "_"',
        );
      }
      const limit = parseLimit(
        request.query.limit,
        DEFAULT_PAGE_LIMIT,
        MAX_LOGGED_COMMANDS_PER_AGENT,
      );
      const before = parseCursor(request.query.before);
      if (!topicReader(storage, auth)(agentRepliesTopic(agent))) {
        throw new ApiError(
          403,
          'forbidden',
          `reading the replies of agent "${agent}" is not allowed`,
        );
      }
      return withCursorErrors(
        (error) => isStorageError(error, 'invalid_cursor'),
        () => storage.agentCommands.page(auth.org, agent, { before, limit }),
      );
    },
  );
}
