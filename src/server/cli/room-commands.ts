import { DEFAULTS } from '../config';
import type { Command } from './cli-context';
import { noMoreArguments } from './cli-context';
import { CliError, UsageError } from './cli-error';
import { formatTable } from './format-table';

// There is no `room remove`: nothing deletes a room (the broker remembers each room it has
// found for good, broker/known-rooms.ts), so a removal would leave the room open to chat.

export const roomAdd: Command = (
  { positionals: [org, room, ...extra] },
  { storage, actor, out, maxRoomsPerOrg = DEFAULTS.maxRoomsPerOrg },
) => {
  noMoreArguments(extra);
  if (org === undefined) throw new UsageError('missing_argument', 'missing <org>');
  if (room === undefined) throw new UsageError('missing_argument', 'missing <room>');
  // The store checks the id as it does for POST /api/rooms (and the org's existence), with
  // the same rule and message, and the org's room limit with the same code; a running
  // server finds the room at its first message. The limit holds for the operator too: every
  // member's room list and unread counts grow with the rooms, whoever made them.
  storage.transaction(() => {
    const created = storage.rooms.add(org, room, undefined, { maxRooms: maxRoomsPerOrg });
    // As POST /api/rooms audits it (http/rooms.ts), in one transaction with it.
    storage.audit.record(org, {
      actor,
      action: 'room.create',
      target: created.id,
      detail: { name: created.name },
    });
  });
  out(`created room ${room} in ${org}`);
};

export const roomList: Command = ({ positionals: [org, ...extra] }, { storage, out }) => {
  noMoreArguments(extra);
  if (org === undefined) throw new UsageError('missing_argument', 'missing <org>');
  // A mistyped org would otherwise look like one without rooms.
  if (!storage.users.hasOrg(org)) throw new CliError('unknown_org', `no org "${org}"`);
  const rows = storage.rooms.list(org).map(({ id, name }) => [id, name]);
  for (const line of formatTable([['ROOM', 'NAME'], ...rows])) out(line);
};
