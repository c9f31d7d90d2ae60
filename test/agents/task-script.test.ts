import { describe, expect, it } from 'vitest';
import {
  describePhase,
  nextPhase,
  restingPhase,
  TASKS,
  type Phase,
} from '../../src/agents/task-script';
import { agentStateSchema } from '../../src/shared/schemas';

const always = (value: number) => () => value;

describe('nextPhase', () => {
  it.each<[string, Phase, number, Phase]>([
    ['counts down a rest', { kind: 'idle', ticksLeft: 3 }, 0.5, { kind: 'idle', ticksLeft: 2 }],
    [
      'starts a task after the rest',
      { kind: 'idle', ticksLeft: 1 },
      0,
      { kind: 'working', task: TASKS[0], progress: 0 },
    ],
    [
      'steps progress',
      { kind: 'working', task: 't', progress: 10 },
      0.5,
      { kind: 'working', task: 't', progress: 20 },
    ],
    [
      'caps progress at 100',
      { kind: 'working', task: 't', progress: 95 },
      0.99,
      { kind: 'working', task: 't', progress: 100 },
    ],
    ['rests after 100', { kind: 'working', task: 't', progress: 100 }, 0, restingPhase(always(0))],
    [
      'fails now and then',
      { kind: 'working', task: 't', progress: 30 },
      0,
      { kind: 'error', task: 't', progress: 30, detail: 'Upstream API timed out', ticksLeft: 4 },
    ],
    [
      'rests after an error',
      { kind: 'error', task: 't', progress: 30, detail: 'd', ticksLeft: 1 },
      0,
      restingPhase(always(0)),
    ],
  ])('%s', (_name, phase, random, expected) => {
    expect(nextPhase(phase, always(random))).toEqual(expected);
  });

  it('finishes every task within 100 / 4 steps when nothing fails', () => {
    let phase: Phase = { kind: 'working', task: 't', progress: 0 };
    let ticks = 0;
    while (phase.kind === 'working') {
      phase = nextPhase(phase, always(0.05)); // the smallest step that does not fail
      ticks++;
    }
    expect(phase.kind).toBe('idle');
    expect(ticks).toBe(26); // 25 steps of 4 %, then the move to idle
  });
});

describe('describePhase', () => {
  const working: Phase = { kind: 'working', task: 'Indexing documents', progress: 40 };
  const failed: Phase = { ...working, kind: 'error', detail: 'boom', ticksLeft: 2 };

  it.each<[string, Phase, boolean, object]>([
    ['idle', { kind: 'idle', ticksLeft: 2 }, false, { status: 'idle' }],
    ['working', working, false, { status: 'working', task: 'Indexing documents', progress: 40 }],
    ['paused', working, true, { status: 'paused', task: 'Indexing documents', progress: 40 }],
    ['paused while idle', { kind: 'idle', ticksLeft: 2 }, true, { status: 'paused' }],
    ['error', failed, false, { status: 'error', task: working.task, progress: 40, detail: 'boom' }],
  ])('%s', (_name, phase, paused, expected) => {
    const state = describePhase(phase, paused);
    expect(state).toEqual(expected);
    expect(agentStateSchema.safeParse({ ...state, updatedAt: 0 }).success).toBe(true);
  });
});
