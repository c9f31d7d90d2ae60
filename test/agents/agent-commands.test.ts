import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgentFleet, type AgentFleet } from '../../src/agents/agent-fleet';
import {
  agentReplySchema,
  agentStateSchema,
  type AgentReply,
  type AgentState,
} from '../../src/shared/schemas';
import { agentInboxTopic, agentRepliesTopic, agentStateTopic } from '../../src/shared/topics';
import { Observer, sleep, startBroker, type Received, type TestBroker } from './broker';

const AGENT = 'agent-01';
const TICK_MS = 10;

// With random fixed at 0.5 the script never errors, steps 10 % a tick and rests 4 ticks.
const steady = () => 0.5;

const stateIs =
  (check: (state: AgentState) => boolean) =>
  ({ topic, json }: Received) =>
    topic === agentStateTopic(AGENT) && check(agentStateSchema.parse(json));

const replyTo =
  (commandId: string, status?: AgentReply['status']) =>
  ({ topic, json }: Received) => {
    if (topic !== agentRepliesTopic(AGENT)) return false;
    const reply = agentReplySchema.parse(json);
    return reply.commandId === commandId && (status === undefined || reply.status === status);
  };

describe('a simulated agent answering commands', () => {
  let broker: TestBroker;
  let fleet: AgentFleet;
  let observer: Observer;
  const log: string[] = [];

  beforeEach(async () => {
    log.length = 0;
    broker = await startBroker();
    fleet = await startAgentFleet({
      url: broker.url,
      count: 1,
      password: () => 'secret',
      tickMs: TICK_MS,
      random: steady,
      logger: (line) => log.push(line),
    });
    observer = await Observer.connect(broker.url, agentStateTopic(AGENT), agentRepliesTopic(AGENT));
  });

  afterEach(async () => {
    await observer.close();
    await fleet.stop();
    await broker.close();
  });

  const send = (id: string, command: string) =>
    observer.client.publishAsync(
      agentInboxTopic(AGENT),
      JSON.stringify({ id, command, from: 'alice' }),
      { qos: 1 },
    );

  const replies = (commandId: string) =>
    observer.received.filter(replyTo(commandId)).map(({ json }) => agentReplySchema.parse(json));

  it('connects as agent-01@demo', () => {
    expect(broker.usernames).toContain('agent-01@demo');
  });

  it('answers ping with accepted, then done "pong"', async () => {
    await send('c-ping', 'ping');
    await observer.waitFor(replyTo('c-ping', 'done'));
    expect(replies('c-ping')).toEqual([
      { commandId: 'c-ping', status: 'accepted' },
      { commandId: 'c-ping', status: 'done', detail: 'pong' },
    ]);
  });

  it('stops progressing while paused and continues after resume', async () => {
    await observer.waitFor(stateIs((state) => state.status === 'working'));

    const pauseFrom = observer.mark();
    await send('c-pause', 'pause');
    await observer.waitFor(replyTo('c-pause', 'done'), pauseFrom);
    const pausedMessage = await observer.waitFor(
      stateIs((state) => state.status === 'paused'),
      pauseFrom,
    );
    const paused = agentStateSchema.parse(pausedMessage.json);
    expect(paused.task).toEqual(expect.any(String));

    await sleep(30 * TICK_MS); // ten or more ticks
    const sincePause = observer.received.slice(observer.received.indexOf(pausedMessage));
    const states = sincePause.filter(stateIs(() => true));
    expect(states.map(({ json }) => agentStateSchema.parse(json))).toEqual([paused]);

    const resumedAt = observer.mark();
    await send('c-resume', 'resume');
    await observer.waitFor(replyTo('c-resume', 'done'), resumedAt);
    const advanced = (state: AgentState) =>
      state.status === 'idle' || // the task finished
      (state.status === 'working' && (state.progress ?? 0) > (paused.progress ?? 0));
    await observer.waitFor(stateIs(advanced), resumedAt);
  });

  it('fails a second pause and a resume while not paused', async () => {
    await send('c-resume', 'resume');
    await send('c-pause-1', 'pause');
    await send('c-pause-2', 'pause');
    await observer.waitFor(replyTo('c-pause-2', 'failed'));
    expect(replies('c-resume').at(-1)).toEqual({
      commandId: 'c-resume',
      status: 'failed',
      detail: 'not paused',
    });
    expect(replies('c-pause-1').at(-1)?.status).toBe('done');
  });

  it('cancel drops the task and goes idle', async () => {
    const working = await observer.waitFor(stateIs((state) => state.status === 'working'));
    const { task } = agentStateSchema.parse(working.json);
    await send('c-cancel', 'cancel');
    const done = await observer.waitFor(replyTo('c-cancel', 'done'));
    expect(agentReplySchema.parse(done.json).detail).toBe(`cancelled ${task}`);
    expect(fleet.agents[0]?.state).toMatchObject({ status: 'idle' });
  });

  it('fails an unknown command with a detail naming it', async () => {
    await send('c-dance', 'dance');
    const failed = await observer.waitFor(replyTo('c-dance', 'failed'));
    expect(agentReplySchema.parse(failed.json).detail).toMatch(/unknown command "dance"/);
    expect(replies('c-dance')[0]?.status).toBe('accepted');
  });

  it('ignores invalid payloads with a log line and keeps working', async () => {
    const before = observer.mark();
    await observer.client.publishAsync(agentInboxTopic(AGENT), 'not json {', { qos: 1 });
    await observer.client.publishAsync(agentInboxTopic(AGENT), '{"command":"ping"}', { qos: 1 });
    await send('c-after', 'ping');
    await observer.waitFor(replyTo('c-after', 'done'), before);
    await observer.waitFor(
      stateIs(() => true),
      observer.mark(),
    ); // still ticking

    const repliesSince = observer.received.slice(before).filter(replyTo('c-after'));
    const allReplies = observer.received
      .slice(before)
      .filter(({ topic }) => topic === agentRepliesTopic(AGENT));
    expect(allReplies).toEqual(repliesSince); // nothing answered the invalid ones
    expect(log.filter((line) => line.includes('ignored'))).toEqual([
      expect.stringContaining('payload is not JSON'),
      expect.stringContaining('id'),
    ]);
  });
});
