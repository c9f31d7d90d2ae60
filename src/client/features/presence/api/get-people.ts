import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';

export interface Person {
  user: string;
  role: string;
}

export const peopleQueryKey = ['people'] as const;

export async function fetchPeople(signal?: AbortSignal): Promise<Person[]> {
  const body = await apiFetch<{ people: Person[] }>('/api/people', { signal });
  return body.people;
}

export const peopleQueryOptions = () =>
  queryOptions({
    queryKey: peopleQueryKey,
    queryFn: ({ signal }) => fetchPeople(signal),
    // Presence corrects it only while it is shown (use-refetch-people-on-presence.ts):
    // each showing asks again, so someone added or removed meanwhile is not missed.
    staleTime: 0,
  });

export const usePeople = () => useQuery(peopleQueryOptions());
