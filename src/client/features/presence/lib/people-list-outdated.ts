import type { Person } from '../api/get-people';
import { isUserOnline, type PresenceClients } from '../stores/presence-store';

/**
 * Whether a presence change shows the people list out of date: someone it does not list
 * came online (created, or enabled, since it was fetched), or someone it lists lost every
 * presence they had (the server clears a removed user's retained presences; closing a tab
 * marks it offline, it does not clear it). Only a change counts, not a state: later
 * messages from someone already online, listed or not, ask nothing more.
 */
export function isPeopleListOutdated(
  people: readonly Person[],
  before: PresenceClients,
  after: PresenceClients,
): boolean {
  const listed = new Set(people.map((person) => person.user));
  return Object.entries(after).some(([user, clients]) => {
    const was = before[user];
    if (clients === was) return false; // entries are replaced on change, never edited
    return listed.has(user)
      ? isEmpty(clients) && !isEmpty(was)
      : isUserOnline(after, user) && !isUserOnline(before, user);
  });
}

const isEmpty = (clients: object | undefined): boolean =>
  clients === undefined || Object.keys(clients).length === 0;
