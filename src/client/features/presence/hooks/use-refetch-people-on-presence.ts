import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { peopleQueryOptions } from '../api/get-people';
import { isPeopleListOutdated } from '../lib/people-list-outdated';
import { usePresenceStore } from '../stores/presence-store';

/**
 * Refetches the people list, while it is shown, when presence shows someone was added or
 * removed since it was fetched (isPeopleListOutdated): no topic carries the list itself.
 * Before the first answer there is nothing to correct: that request is on its way.
 */
export function useRefetchPeopleOnPresence(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      usePresenceStore.subscribe((state, previous) => {
        const { queryKey } = peopleQueryOptions();
        const people = queryClient.getQueryData(queryKey);
        if (people && isPeopleListOutdated(people, previous.clients, state.clients))
          void queryClient.invalidateQueries({ queryKey });
      }),
    [queryClient],
  );
}
