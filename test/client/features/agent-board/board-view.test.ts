import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../../../src/shared/schemas';
import {
  AGE_AS_DATE_FROM_MS,
  AGENT_STALE_AFTER_MS,
  boardRows,
  formatProgress,
  formatSince,
  type BoardQuery,
} from '../../../../src/client/features/agent-board/lib/board-view';

const NOW = 1_735_725_600_000;
const agents: Record<string, AgentState> = {
  builder: { status: 'working', task: 'compile release', progress: 40, updatedAt: NOW - 1_000 },
  archiver: { status: 'idle', updatedAt: NOW - 5_000 },
  crawler: { status: 'error', detail: 'DNS timeout', updatedAt: NOW - AGENT_STALE_AFTER_MS - 1 },
  dozer: { status: 'offline', updatedAt: NOW - 3_600_000 },
  emitter: {
    status: 'paused',
    task: 'Release\u2066 notes',
    updatedAt: NOW - AGENT_STALE_AFTER_MS,
  },
};
const query = (patch: Partial<BoardQuery>): BoardQuery => ({
  text: '',
  status: 'all',
  sort: 'name',
  ...patch,
});

describe('boardRows', () => {
  it.each([
    {
      name: 'sort by name',
      q: query({}),
      expected: ['archiver', 'builder', 'crawler', 'dozer', 'emitter'],
    },
    {
      name: 'sort by status, most urgent first',
      q: query({ sort: 'status' }),
      expected: ['crawler', 'builder', 'emitter', 'archiver', 'dozer'],
    },
    {
      name: 'sort by last update, newest first',
      q: query({ sort: 'updated' }),
      expected: ['builder', 'archiver', 'emitter', 'crawler', 'dozer'],
    },
    { name: 'filter by status', q: query({ status: 'idle' }), expected: ['archiver'] },
    {
      name: 'filter text matches the task, case-insensitively',
      q: query({ text: 'RELEASE' }),
      expected: ['builder', 'emitter'],
    },
    { name: 'filter text matches the detail', q: query({ text: 'dns' }), expected: ['crawler'] },
    {
      name: 'filter text matches the text as shown, across a bidi control',
      q: query({ text: 'release notes' }),
      expected: ['emitter'],
    },
    {
      name: 'filter text and status together',
      q: query({ text: 'release', status: 'paused' }),
      expected: ['emitter'],
    },
  ])('$name', ({ q, expected }) => {
    expect(boardRows(agents, q, NOW).map((row) => row.agent)).toEqual(expected);
  });

  it('marks agents stale after AGENT_STALE_AFTER_MS without an update, except offline ones', () => {
    const stale = boardRows(agents, query({}), NOW)
      .filter((row) => row.stale)
      .map((row) => row.agent);
    expect(stale).toEqual(['crawler']);
  });
});

describe('formatSince', () => {
  const DAY_MS = 24 * 3_600_000;
  const dateOf = (at: number) =>
    new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' }).format(
      at,
    );
  it.each([
    [0, 'just now'],
    [-30_000, 'just now'], // up to 60 s ahead of the server's clock is allowed
    [42_000, '42 s ago'],
    [5 * 60_000, '5 min ago'],
    [3 * 3_600_000, '3 h ago'],
    [50 * 3_600_000, '2 d ago'],
    [AGE_AS_DATE_FROM_MS - 1, '6 d ago'],
  ])('%i ms before → %s', (ms, expected) => expect(formatSince(NOW - ms, NOW)).toBe(expected));

  it.each([
    ['a week', NOW - AGE_AS_DATE_FROM_MS],
    ['a year', NOW - 365 * DAY_MS],
    ['the epoch (updatedAt: 0)', 0],
  ])('%s before: the date, not a count of days', (_name, at) => {
    expect(formatSince(at, NOW)).toBe(dateOf(at));
    expect(formatSince(at, NOW)).not.toMatch(/ago/);
  });
});

describe('formatProgress', () => {
  it.each([
    [0, 0, '0 %'],
    [0.001, 0, '<1 %'],
    [0.4, 0, '<1 %'],
    [1, 1, '1 %'],
    [40, 40, '40 %'],
    [41.9, 41, '41 %'],
    [99.4, 99, '99 %'],
    [99.6, 99, '99 %'], // not done: not 100 %, nor a full bar
    [99.999, 99, '99 %'],
    [100, 100, '100 %'],
  ])('%d → %i (%s)', (progress, percent, text) => {
    expect(formatProgress(progress)).toEqual({ percent, text });
  });
});
