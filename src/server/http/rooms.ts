import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canUseApp } from '../../shared/acl';
import { isValidId } from '../../shared/ids';
import { roomReader } from '../auth/topic-reader';
import { isStorageError, type Room } from '../storage';
import { createCreationsLimit } from './creations-limit';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';
import { parseBody } from './parse-body';
import { authOf, requireSession } from './require-session';

// Per person, whichever of their sessions asks: enough for anyone making rooms by hand, and
// a script cannot fill the org's room list (MAX_ROOMS_PER_ORG) in seconds.
export const ROOM_CREATES_PER_WINDOW = 10;
const ROOM_CREATE_WINDOW_MS = 60_000;

const newRoomSchema = z.strictObject({
  id: z.string(),
  name: z.string().optional(),
});

export function assertRoomId(room: string): void {
  if (!isValidId(room)) {
    throw new ApiError(
      400,
      'invalid_room_id',
      'room id must be 1-64 lowercase letters, digits, "-" or "_"',
    );
  }
}

// User ids are no secret; org and user together name one person.
function personRateKey(request: FastifyRequest): string {
  const { org, user } = authOf(request);
  return `${org}|${user}`;
}

export function roomRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config } = deps;
  const signedIn = requireSession(storage, config);

  // Only the rooms the caller may read: a room their ACL denies is not theirs to see.
  app.get('/api/rooms', { preHandler: signedIn }, async (request) => {
    const auth = authOf(request);
    const canRead = roomReader(storage, auth);
    return { rooms: storage.rooms.list(auth.org).filter((room) => canRead(room.id)) };
  });

  const creations = createCreationsLimit({
    max: ROOM_CREATES_PER_WINDOW,
    windowMs: ROOM_CREATE_WINDOW_MS,
  });

  app.post('/api/rooms', { preHandler: signedIn }, async (request, reply) => {
    const auth = authOf(request);
    const { org, role } = auth;
    const body = parseBody(newRoomSchema, request.body);
    // Rooms are for people, those of the app; agents and services have no business here.
    if (!canUseApp(role)) {
      // A code of its own: no other id would do, unlike a room the ACL keeps them from.
      throw new ApiError(403, 'role_cannot_create_rooms', `a ${role} cannot create rooms`);
    }
    assertRoomId(body.id);
    // A room one may not read is not one to create, nor to learn exists (409 below).
    if (!roomReader(storage, auth)(body.id)) {
      throw new ApiError(403, 'forbidden', `room "${body.id}" is not one you may read`);
    }
    const person = personRateKey(request);
    const wait = creations.wait(person);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1_000);
      reply.header('retry-after', String(seconds));
      throw new ApiError(429, 'rate_limited', `too many rooms created; try again in ${seconds} s`);
    }
    try {
      let room: Room | undefined;
      // Audited in one transaction with it, as the CLI's `room add` (cli/room-commands.ts):
      // both are written, or neither.
      storage.transaction(() => {
        // 409 room_limit_reached (errors.ts) past MAX_ROOMS_PER_ORG, counted as it inserts.
        room = storage.rooms.add(org, body.id, body.name, { maxRooms: config.maxRoomsPerOrg });
        storage.audit.record(org, {
          actor: auth.user,
          action: 'room.create',
          target: room.id,
          detail: { name: room.name },
        });
      });
      creations.created(person);
      return reply.code(201).send(room);
    } catch (err) {
      if (isStorageError(err, 'exists')) {
        throw new ApiError(409, 'room_exists', `room "${body.id}" already exists`);
      }
      if (isStorageError(err, 'name_taken')) {
        throw new ApiError(409, 'room_name_taken', err.message);
      }
      if (isStorageError(err, 'invalid_name')) {
        throw new ApiError(400, 'invalid_room_name', err.message);
      }
      throw err;
    }
  });
}
