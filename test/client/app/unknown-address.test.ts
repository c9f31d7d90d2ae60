import { describe, expect, it } from 'vitest';
import {
  describeUnknownAddress,
  MAX_SHOWN_ADDRESS_CHARS,
  type UnknownAddress,
} from '../../../src/client/app/unknown-address';

describe('an address that names no view', () => {
  it.each<[string, UnknownAddress]>([
    ['#/rooms/GENERAL', { kind: 'room', asked: 'GENERAL', suggestion: 'general' }],
    ['#/rooms/%3Cscript%3E', { kind: 'room', asked: '<script>', suggestion: null }],
    ['#/rooms/__proto__', { kind: 'room', asked: '__proto__', suggestion: null }],
    ['#/rooms/constructor', { kind: 'room', asked: 'constructor', suggestion: null }],
    ['#/rooms/%E0%A4%A', { kind: 'room', asked: '%E0%A4%A', suggestion: null }], // malformed
    ['#/rooms/general/extra', { kind: 'page', asked: '#/rooms/general/extra', suggestion: null }],
    ['#/rooms/', { kind: 'page', asked: '#/rooms/', suggestion: null }],
    ['#/bogus', { kind: 'page', asked: '#/bogus', suggestion: null }],
    ['#/agents/bad%2Bagent', { kind: 'page', asked: '#/agents/bad+agent', suggestion: null }],
    ['#main', { kind: 'page', asked: '#main', suggestion: null }],
  ])('%s', (hash, expected) => {
    expect(describeUnknownAddress(hash)).toEqual(expected);
  });

  it('cuts a very long one to a readable length', () => {
    const { kind, asked } = describeUnknownAddress(`#/rooms/${'a/'.repeat(50_000)}`);
    expect(kind).toBe('page');
    expect(asked).toHaveLength(MAX_SHOWN_ADDRESS_CHARS + 1);
    expect(asked.endsWith('…')).toBe(true);
  });
});
