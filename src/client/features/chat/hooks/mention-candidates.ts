import { createContext, useContext } from 'react';

/**
 * Who a message may name (`@bob`): the app fills it in from the people list, which is
 * another feature's (app/room-screen.tsx); none by default.
 */
export const MentionCandidates = createContext<readonly string[]>([]);

export const useMentionCandidates = () => useContext(MentionCandidates);
