import { describe, expect, it } from 'vitest';
import {
  MAX_TOPIC_LEVELS,
  filterContains,
  filtersIntersect,
  topicMatches,
  validateTopicFilter,
  validateTopicName,
} from '../../src/shared/topic-filter';

describe('validateTopicName', () => {
  it.each([
    ['chat/general/messages', null],
    ['$SYS/broker', null],
    ['/leading/slash', null],
    ['', 'empty'],
    ['chat/+/messages', 'wildcard'],
    ['chat/#', 'wildcard'],
    ['chat/a\u0000b', 'nul'],
    ['chat/\uD800', 'invalid-utf8'],
    ['chat/\uFFFD', 'invalid-utf8'],
    ['x'.repeat(65_536), 'too-long'],
    // Three bytes of UTF-8 per character: at the limit, and one character past it.
    ['€'.repeat(21_845), null],
    ['€'.repeat(21_846), 'too-long'],
    ['é'.repeat(32_768), 'too-long'],
    [
      Array(MAX_TOPIC_LEVELS + 1)
        .fill('a')
        .join('/'),
      'too-many-levels',
    ],
    // The shortest topics with the most levels, at the limit and past it.
    ['/'.repeat(MAX_TOPIC_LEVELS - 1), null],
    ['/'.repeat(MAX_TOPIC_LEVELS), 'too-many-levels'],
  ])('%j → %s', (topic, code) => {
    expect(validateTopicName(topic)?.code ?? null).toBe(code);
  });
});

describe('validateTopicFilter', () => {
  it.each([
    ['#', null],
    ['+', null],
    ['chat/+/messages', null],
    ['chat/#', null],
    ['+/+/#', null],
    ['chat/#/x', 'bad-wildcard'],
    ['chat/a#', 'bad-wildcard'],
    ['chat/a+/x', 'bad-wildcard'],
    ['chat/++', 'bad-wildcard'],
    ['', 'empty'],
    ['a\u0000', 'nul'],
  ])('%j → %s', (filter, code) => {
    expect(validateTopicFilter(filter)?.code ?? null).toBe(code);
  });
});

describe('topicMatches', () => {
  it.each([
    ['chat/+/messages', 'chat/general/messages', true],
    ['chat/+/messages', 'chat/general/typing', false],
    ['chat/#', 'chat', true], // [MQTT-4.7.1-2] # includes the parent level
    ['chat/#', 'chat/a/b/c', true],
    ['chat/+', 'chat', false],
    ['chat/+', 'chat/', true], // empty level is a level
    ['+/+', '/x', true],
    ['#', 'anything/at/all', true],
    ['#', '$SYS/broker', false], // [MQTT-4.7.2-1]
    ['+/broker', '$SYS/broker', false],
    ['$SYS/#', '$SYS/broker/load', true],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
  ])('%j matches %j: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('filterContains', () => {
  it.each([
    ['#', 'chat/+/messages', true],
    ['chat/#', 'chat/+/messages', true],
    ['chat/+/+', 'chat/general/messages', true],
    ['chat/+/+', 'chat/+/typing', true],
    ['chat/+/messages', 'chat/+/+', false],
    ['chat/+/messages', 'chat/#', false],
    ['chat/+', 'chat/#', false], // chat/# also matches chat and chat/a/b
    ['chat/#', 'chat/#', true],
    ['chat/#', 'chat', true],
    ['notifications/alice', 'notifications/+', false],
    ['notifications/alice', 'notifications/alice', true],
    ['notifications/+', 'notifications/alice/x', false],
    ['#', '$SYS/#', false],
    ['+/#', '$SYS/x', false],
    ['$SYS/#', '$SYS/+/load', true],
    ['$SYS/#', '#', false],
    ['a/b', 'a/b/c', false],
  ])('%j contains %j: %s', (outer, inner, expected) => {
    expect(filterContains(outer, inner)).toBe(expected);
  });
});

describe('filtersIntersect', () => {
  it.each([
    ['chat/+/messages', 'chat/general/+', true],
    ['chat/a/messages', 'chat/b/messages', false],
    ['chat/#', 'chat', true],
    ['chat/+', 'chat', false],
    ['#', 'x', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/+', true],
    ['a/b', 'a/b/c', false],
    ['a/+', 'a/+/+', false],
  ])('%j ∩ %j: %s', (a, b, expected) => {
    expect(filtersIntersect(a, b)).toBe(expected);
    expect(filtersIntersect(b, a)).toBe(expected);
  });
});
