// The agent whose detail was just closed, so that the board shown in its place puts focus
// back on that agent's row (a keyboard user in a long list would otherwise Tab down to it
// again). Handed over within the commit that swaps the views: the detail notes it as it
// unmounts (a layout effect's cleanup), the board takes it as it mounts (a layout effect),
// and it is forgotten when that commit is over, so a board opened later from elsewhere
// (the menu, after another view) starts at its top, with focus where the shell puts it.
let justLeft: string | null = null;

export function noteAgentLeft(agent: string): void {
  justLeft = agent;
  queueMicrotask(() => {
    if (justLeft === agent) justLeft = null;
  });
}

/** The agent whose detail this commit closed, once; null when it closed none. */
export function takeAgentLeft(): string | null {
  const agent = justLeft;
  justLeft = null;
  return agent;
}
