/**
 * How long an agent found stays known without the store being asked again: one removed or
 * given another role meanwhile has its commands logged that much longer (within its
 * MAX_LOGGED_COMMANDS_PER_AGENT), and one asked about often costs a read a minute.
 */
export const AGENT_KNOWN_FOR_MS = 60_000;

/**
 * Whether a user is an agent of the org, for the command log (record-history.ts): only an
 * agent's commands are logged, or one member writing to the inboxes of made-up ids would
 * fill the disk with their logs. Each command asks, so an agent found is remembered for
 * AGENT_KNOWN_FOR_MS, as known-rooms.ts remembers rooms (unlike a room, an agent may be
 * removed or given another role, by the console or the CLI's process, so not for good). One
 * not found is not remembered: an agent created a moment ago is found at its first command,
 * and memory holds only agents, however many ids are made up (each of those costs a read).
 */
export interface KnownAgents {
  has(org: string, agent: string): boolean;
}

/** `isAgent`: reads the store; may throw (the command is then routed unlogged). */
export function createKnownAgents(
  isAgent: (org: string, user: string) => boolean,
  now: () => number = Date.now,
): KnownAgents {
  const knownUntil = new Map<string, number>(); // "org/agent" (ids have no "/") → ms
  return {
    has(org, agent) {
      const key = `${org}/${agent}`;
      const until = knownUntil.get(key);
      if (until !== undefined && now() < until) return true;
      if (!isAgent(org, agent)) {
        knownUntil.delete(key);
        return false;
      }
      knownUntil.set(key, now() + AGENT_KNOWN_FOR_MS);
      return true;
    },
  };
}
