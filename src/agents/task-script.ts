import type { AgentState } from '../shared/schemas';

// What a simulated agent does between commands: work through a made-up task in
// progress steps, rest for a few ticks, now and then fail. Pure: the agent owns the
// timer and the connection, this file only decides the next phase.

export const TASKS = [
  'Indexing documents',
  'Summarising tickets',
  'Triaging alerts',
  'Drafting release notes',
  'Reconciling invoices',
  'Transcribing meetings',
] as const;

const ERRORS = [
  'Upstream API timed out',
  'Rate limited by the search index',
  'Ran out of scratch disk',
] as const;

const PROGRESS_STEP_MIN_PERCENT = 4;
const PROGRESS_STEP_MAX_PERCENT = 16;
const IDLE_TICKS_MIN = 2; // a short rest between tasks so the board shows idle agents too
const IDLE_TICKS_MAX = 6;
const ERROR_TICKS = 4; // long enough for a human to notice the red badge
const ERROR_CHANCE_PER_TICK = 0.02; // ≈ one task in five fails somewhere along the way

export type Phase =
  | { kind: 'working'; task: string; progress: number }
  | { kind: 'idle'; ticksLeft: number }
  | { kind: 'error'; task: string; progress: number; detail: string; ticksLeft: number };

/** Returns a number in [0, 1), like Math.random; injected so tests are deterministic. */
export type Random = () => number;

const between = (random: Random, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1));

const pick = <T>(random: Random, items: readonly [T, ...T[]]): T =>
  items[Math.floor(random() * items.length)] ?? items[0];

export function restingPhase(random: Random): Phase {
  return { kind: 'idle', ticksLeft: between(random, IDLE_TICKS_MIN, IDLE_TICKS_MAX) };
}

export function nextPhase(phase: Phase, random: Random): Phase {
  switch (phase.kind) {
    case 'idle':
      return phase.ticksLeft > 1
        ? { kind: 'idle', ticksLeft: phase.ticksLeft - 1 }
        : { kind: 'working', task: pick(random, TASKS), progress: 0 };
    case 'error':
      return phase.ticksLeft > 1
        ? { ...phase, ticksLeft: phase.ticksLeft - 1 }
        : restingPhase(random);
    case 'working': {
      if (phase.progress >= 100) return restingPhase(random);
      if (random() < ERROR_CHANCE_PER_TICK) {
        const detail = pick(random, ERRORS);
        return { ...phase, kind: 'error', detail, ticksLeft: ERROR_TICKS };
      }
      const step = between(random, PROGRESS_STEP_MIN_PERCENT, PROGRESS_STEP_MAX_PERCENT);
      return { ...phase, progress: Math.min(100, phase.progress + step) };
    }
  }
}

/** The retained state payload for a phase (without updatedAt, which the agent stamps). */
export function describePhase(phase: Phase, paused: boolean): Omit<AgentState, 'updatedAt'> {
  if (phase.kind === 'idle') return { status: paused ? 'paused' : 'idle' };
  const { task, progress } = phase;
  if (paused) return { status: 'paused', task, progress };
  if (phase.kind === 'error') return { status: 'error', task, progress, detail: phase.detail };
  return { status: 'working', task, progress };
}
