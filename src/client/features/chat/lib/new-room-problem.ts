import { ID_PATTERN, isValidId } from '../../../../shared/ids';
import { isApiError } from '../../../lib/api/api-error';

/** Why a room was not created, in words for the person; `field`: the id is what to change. */
export interface NewRoomProblem {
  message: string;
  field: boolean;
}

export const ROOM_ID_RULE =
  'Use 1–64 lowercase letters, digits, - and _, starting with a letter or digit.';

/** What is wrong with `room` (trimmed and lowercased) before the server is asked; null: nothing. */
export function roomIdProblem(room: string): NewRoomProblem | null {
  if (isValidId(room)) return null;
  if (room === '') return { message: `Give the room an id. ${ROOM_ID_RULE}`, field: true };
  // The server answers both with one code (invalid_room_id): say which it is here.
  if (ID_PATTERN.test(room)) {
    return { message: `“${room}” is a reserved name. Choose another room id.`, field: true };
  }
  return { message: ROOM_ID_RULE, field: true };
}

/**
 * The server's refusal to create `room` (POST /api/rooms, src/server/http/rooms.ts) in
 * words for the person, never its own text: that is written for developers.
 */
export function newRoomProblem(error: unknown, room: string): NewRoomProblem {
  if (isApiError(error)) {
    if (error.status === 0) {
      return {
        message: 'Could not reach the server. Check your connection and try again.',
        field: false,
      };
    }
    switch (error.code) {
      case 'invalid_room_id':
      case 'invalid_room_name':
        return { message: `The server does not accept “${room}”. ${ROOM_ID_RULE}`, field: true };
      case 'room_exists':
        return {
          message: `There is already a room “${room}”: open it from the list, or choose another id.`,
          field: true,
        };
      case 'room_name_taken':
        // The room is named after its id, and another room has that name in another case.
        return {
          message: `Another room is already called “${room}”. Choose another id.`,
          field: true,
        };
      case 'room_limit_reached':
        // No id would do, and no admin can help (rooms are not deleted): only the setting.
        return {
          message:
            'Your organisation has as many rooms as the server allows, so no more can be created. Whoever runs the server can raise its MAX_ROOMS_PER_ORG setting.',
          field: false,
        };
      case 'rate_limited':
        return {
          message: 'You have created many rooms in a short time. Wait a minute, then try again.',
          field: false,
        };
      case 'forbidden':
        // The ACL would not let this person read this room: another id may do.
        return {
          message: `You are not allowed to create the room “${room}”. Try another id, or ask an admin.`,
          field: true,
        };
      case 'role_cannot_create_rooms':
        // No id would do: nothing in the field to change.
        return {
          message: 'Your role does not allow creating rooms. Ask an admin to create one for you.',
          field: false,
        };
      case 'not_signed_in':
        return { message: 'Your session has ended. Sign in again to create a room.', field: false };
    }
  }
  if (isApiError(error) && error.status < 500) {
    return {
      message: 'The server refused the request. Reload the page and try again.',
      field: false,
    };
  }
  return {
    message: 'Something went wrong on the server. Try again in a moment.',
    field: false,
  };
}
