import { useMemo } from 'react';
import { usePeople } from '../api/get-people';
import { useRefetchPeopleOnPresence } from '../hooks/use-refetch-people-on-presence';
import { isUserOnline, usePresenceStore } from '../stores/presence-store';
import { PresenceDot } from './presence-dot';

export function PeopleList() {
  const people = usePeople();
  useRefetchPeopleOnPresence();
  const clients = usePresenceStore((state) => state.clients);
  const sorted = useMemo(
    () =>
      [...(people.data ?? [])].sort(
        (a, b) =>
          Number(isUserOnline(clients, b.user)) - Number(isUserOnline(clients, a.user)) ||
          a.user.localeCompare(b.user),
      ),
    [people.data, clients],
  );
  const onlineCount = sorted.filter((person) => isUserOnline(clients, person.user)).length;

  return (
    <section className="people" aria-labelledby="people-heading">
      <h2 id="people-heading" className="view-title">
        People
      </h2>
      {people.isPending && <p className="muted">Loading people…</p>}
      {people.error && (
        <p className="form-error" role="alert">
          Could not load people: {people.error.message}
        </p>
      )}
      {people.data && (
        <>
          <p className="muted">
            {onlineCount} of {sorted.length} online
          </p>
          <ul className="people__list" aria-label="People in your organisation">
            {sorted.map((person) => (
              <li
                key={person.user}
                className="people__row"
                aria-label={`${person.user} (${person.role}), ${isUserOnline(clients, person.user) ? 'online' : 'offline'}`}
              >
                <PresenceDot user={person.user} />
                <span className="people__name">{person.user}</span>
                <span className="people__role">{person.role}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
