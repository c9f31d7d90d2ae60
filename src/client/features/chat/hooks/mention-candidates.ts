import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { roomPeopleQueryOptions } from '../api/get-room-people';

const NONE: readonly string[] = [];

/**
 * Who a message in `room` may name (`@bob`): the people who may read it, whom a mention
 * notifies. Asked for only once `wanted` (the composer: once its field is first used),
 * then kept a while.
 */
export function useMentionCandidates(room: string, wanted: boolean): readonly string[] {
  const people = useQuery({ ...roomPeopleQueryOptions(room), enabled: wanted }).data;
  return useMemo(() => people?.map((person) => person.user) ?? NONE, [people]);
}
