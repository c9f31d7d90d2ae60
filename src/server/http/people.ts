import type { FastifyInstance } from 'fastify';
import { canUseApp } from '../../shared/acl';
import { chatMessagesTopic } from '../../shared/topics';
import { withRoleRules } from '../auth/effective-rules';
import { roomReader, topicReaderOf } from '../auth/topic-reader';
import type { UserRecord } from '../storage';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';
import { authOf, requireSession } from './require-session';
import { assertRoomId } from './rooms';

// People are who you chat with (the app's users); agents and services appear on the
// agents board instead.
const isPerson = (u: Pick<UserRecord, 'role' | 'disabled'>) => canUseApp(u.role) && !u.disabled;

const listed = (people: Pick<UserRecord, 'user' | 'role'>[]) => ({
  people: people.map(({ user, role }) => ({ user, role })),
});

export function peopleRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config } = deps;

  app.get('/api/people', { preHandler: requireSession(storage, config) }, async (request) =>
    listed(storage.users.listUsers(authOf(request).org).filter(isPerson)),
  );

  // The people who may read a room: those a mention in it notifies (mention-notifications.ts
  // asks the same reader). Only for a room the caller reads, as its history is.
  app.get<{ Params: { room: string } }>(
    '/api/rooms/:room/people',
    { preHandler: requireSession(storage, config) },
    async (request) => {
      const auth = authOf(request);
      const { room } = request.params;
      assertRoomId(room);
      if (!roomReader(storage, auth)(room)) {
        throw new ApiError(403, 'forbidden', `reading room "${room}" is not allowed`);
      }
      if (!storage.rooms.has(auth.org, room)) {
        throw new ApiError(404, 'room_not_found', `no room "${room}"`);
      }
      // Every person's rules in one query, not one per person (an org of thousands).
      const topic = chatMessagesTopic(room);
      const readers = storage.users
        .listUsersWithRules(auth.org)
        .filter(isPerson)
        .filter((person) =>
          topicReaderOf(withRoleRules(person.extraRules, person.role), person.user)(topic),
        );
      return listed(readers);
    },
  );
}
