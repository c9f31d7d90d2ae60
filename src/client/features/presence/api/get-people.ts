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
    staleTime: 5 * 60_000,
  });

export const usePeople = () => useQuery(peopleQueryOptions());
