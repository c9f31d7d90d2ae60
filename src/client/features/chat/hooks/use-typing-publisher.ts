import { useCallback, useEffect, useRef } from 'react';
import type { Typing } from '../../../../shared/schemas';
import { chatTypingTopic } from '../../../../shared/topics';
import { useConnection } from '../../../lib/mqtt/connection-context';
import { useCurrentUser } from '../../auth/hooks/use-current-user';

// At most one "typing" per this interval while keys are pressed; well inside
// TYPING_TTL_MS so the indicator of a steady typist never flickers.
export const TYPING_THROTTLE_MS = 2_000;

export interface TypingPublisher {
  /** Call on every edit of the draft. */
  typing(): void;
  /** Call on send or when the draft is emptied. */
  stopped(): void;
}

export function useTypingPublisher(room: string): TypingPublisher {
  const connection = useConnection();
  const me = useCurrentUser();
  const lastSentAt = useRef<number | null>(null);

  const publish = useCallback(
    (typing: boolean) => {
      const signal: Typing = { from: me, typing };
      return connection.publishVolatile(chatTypingTopic(room), JSON.stringify(signal));
    },
    [connection, me, room],
  );

  const typing = useCallback(() => {
    const now = Date.now();
    if (lastSentAt.current !== null && now - lastSentAt.current < TYPING_THROTTLE_MS) return;
    if (publish(true)) lastSentAt.current = now;
  }, [publish]);

  const stopped = useCallback(() => {
    if (lastSentAt.current === null) return;
    lastSentAt.current = null;
    publish(false);
  }, [publish]);

  // Leaving the room mid-sentence: others should not see us typing there for 5 s.
  useEffect(() => stopped, [stopped]);

  return { typing, stopped };
}
