import { describe, expect, it } from 'vitest';
import { AGENT_KNOWN_FOR_MS, createKnownAgents } from '../../../src/server/broker/known-agents';

/** A store of agents that counts its reads, and a clock. */
function store(...agents: string[]) {
  const existing = new Set(agents);
  const reads: string[] = [];
  const clock = { now: 1_000 };
  const known = createKnownAgents(
    (org, user) => {
      reads.push(`${org}/${user}`);
      return existing.has(`${org}/${user}`);
    },
    () => clock.now,
  );
  return { existing, reads, clock, known };
}

describe('createKnownAgents', () => {
  it(`reads the store once for an agent, then answers from memory for ${AGENT_KNOWN_FOR_MS} ms`, () => {
    const s = store('demo/agent-01');
    for (let i = 0; i < 3; i++) expect(s.known.has('demo', 'agent-01')).toBe(true);
    s.clock.now += AGENT_KNOWN_FOR_MS - 1;
    expect(s.known.has('demo', 'agent-01')).toBe(true);
    expect(s.reads).toEqual(['demo/agent-01']);
  });

  it('asks again once that is over: an agent removed or given another role is no longer one', () => {
    const s = store('demo/agent-01');
    expect(s.known.has('demo', 'agent-01')).toBe(true);
    s.existing.delete('demo/agent-01'); // by the console, or the CLI's process
    s.clock.now += AGENT_KNOWN_FOR_MS;
    expect(s.known.has('demo', 'agent-01')).toBe(false);
    expect(s.known.has('demo', 'agent-01')).toBe(false);
    expect(s.reads).toEqual(['demo/agent-01', 'demo/agent-01', 'demo/agent-01']);
  });

  it('does not remember an id it did not find: an agent created since is found at once', () => {
    const s = store();
    expect(s.known.has('demo', 'agent-09')).toBe(false);
    s.existing.add('demo/agent-09');
    expect(s.known.has('demo', 'agent-09')).toBe(true);
    expect(s.reads).toEqual(['demo/agent-09', 'demo/agent-09']);
  });

  it('keeps orgs apart', () => {
    const s = store('demo/agent-01');
    expect(s.known.has('demo', 'agent-01')).toBe(true);
    expect(s.known.has('acme', 'agent-01')).toBe(false);
  });

  it('lets a failed read through to its caller, and remembers nothing of it', () => {
    let failing = true;
    const known = createKnownAgents(() => {
      if (failing) throw new Error('SQLITE_IOERR');
      return true;
    });
    expect(() => known.has('demo', 'agent-01')).toThrow('SQLITE_IOERR');
    failing = false;
    expect(known.has('demo', 'agent-01')).toBe(true);
  });
});
