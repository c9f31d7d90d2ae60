// MQTT 3.1.1 topic names and filters (section 4.7).

import { hasLoneSurrogate } from './lone-surrogate';

export const MAX_TOPIC_BYTES = 65_535; // [MQTT-4.7.3-3] UTF-8 encoded length limit
export const MAX_TOPIC_LEVELS = 32; // well beyond the contract's 3 levels; bounds matching cost

export type TopicErrorCode =
  'empty' | 'wildcard' | 'nul' | 'too-long' | 'too-many-levels' | 'bad-wildcard' | 'invalid-utf8';

export interface TopicError {
  code: TopicErrorCode;
  message: string;
}

const utf8 = new TextEncoder();

function validateCommon(topic: string): TopicError | null {
  if (typeof topic !== 'string' || topic.length === 0) {
    return { code: 'empty', message: 'topic must not be empty' }; // [MQTT-4.7.3-1]
  }
  if (topic.includes('\u0000')) {
    return { code: 'nul', message: 'topic must not contain NUL' }; // [MQTT-4.7.3-2]
  }
  // A lone surrogate cannot be encoded; U+FFFD is what a decoder yields for invalid bytes on
  // the wire, so a topic holding it arrived malformed.
  if (hasLoneSurrogate(topic) || topic.includes('\uFFFD')) {
    return { code: 'invalid-utf8', message: 'topic must be well-formed UTF-8' }; // [MQTT-1.5.3-1]
  }
  // Every publish is checked here: encoding or splitting only when the limit is in reach
  // (a UTF-16 code unit is at most 3 bytes of UTF-8) keeps it free of allocations.
  if (topic.length > MAX_TOPIC_BYTES / 3 && utf8.encode(topic).length > MAX_TOPIC_BYTES) {
    return { code: 'too-long', message: `topic must be at most ${MAX_TOPIC_BYTES} bytes` };
  }
  if (topic.length >= MAX_TOPIC_LEVELS && topic.split('/').length > MAX_TOPIC_LEVELS) {
    return {
      code: 'too-many-levels',
      message: `topic must have at most ${MAX_TOPIC_LEVELS} levels`,
    };
  }
  return null;
}

export function validateTopicName(topic: string): TopicError | null {
  const common = validateCommon(topic);
  if (common) return common;
  if (topic.includes('+') || topic.includes('#')) {
    return { code: 'wildcard', message: 'a topic name must not contain + or #' }; // [MQTT-3.3.2-2]
  }
  return null;
}

export function validateTopicFilter(filter: string): TopicError | null {
  const common = validateCommon(filter);
  if (common) return common;
  const levels = filter.split('/');
  for (const [i, level] of levels.entries()) {
    // [MQTT-4.7.1-2] `#` alone in its level and last; [MQTT-4.7.1-3] `+` alone in its level.
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return { code: 'bad-wildcard', message: '# must be the last level and alone in it' };
    }
    if (level.includes('+') && level !== '+') {
      return { code: 'bad-wildcard', message: '+ must occupy a whole level' };
    }
  }
  return null;
}

/** Whether a valid filter matches a valid topic name. */
export function topicMatches(filter: string, topic: string): boolean {
  // [MQTT-4.7.2-1] a filter starting with a wildcard does not match topics starting with `$`.
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  return levelsMatch(filter.split('/'), topic.split('/'));
}

/**
 * topicMatches on topics already split into levels, for matching one filter against many
 * topics; leaves the `$` rule to the caller.
 */
export function levelsMatch(filter: readonly string[], topic: readonly string[]): boolean {
  for (let i = 0; i < filter.length; i++) {
    const level = filter[i];
    if (level === '#') return true; // also matches the parent level [MQTT-4.7.1-2]
    if (i >= topic.length) return false;
    if (level !== '+' && level !== topic[i]) return false;
  }
  return filter.length === topic.length;
}

/**
 * Whether every topic `inner` can match is also matched by `outer` (both valid filters).
 * This is what makes a wildcard subscription safe to allow under an ACL rule.
 */
export function filterContains(outer: string, inner: string): boolean {
  // A wildcard-led outer matches no `$` topic, so it cannot cover an inner naming one.
  if (isWildcardStart(outer) && inner.startsWith('$')) return false;
  const o = outer.split('/');
  const n = inner.split('/');
  for (let i = 0; i < o.length; i++) {
    const level = o[i];
    if (level === '#') return true;
    if (i >= n.length) return false;
    const innerLevel = n[i];
    if (innerLevel === '#') return false; // inner reaches deeper than outer allows
    if (level === '+') continue;
    if (innerLevel === '+' || innerLevel !== level) return false;
  }
  // Any inner level beyond outer's would match topics outer does not.
  return n.length === o.length;
}

/** Whether some topic name is matched by both filters. */
export function filtersIntersect(a: string, b: string): boolean {
  const aDollar = !isWildcardStart(a) && a.startsWith('$');
  const bDollar = !isWildcardStart(b) && b.startsWith('$');
  if ((aDollar && isWildcardStart(b)) || (bDollar && isWildcardStart(a))) return false;
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; ; i++) {
    const p = x[i];
    const q = y[i];
    if (p === '#' || q === '#') return true;
    if (p === undefined || q === undefined) return p === q;
    if (p !== '+' && q !== '+' && p !== q) return false;
  }
}

function isWildcardStart(filter: string): boolean {
  return filter.startsWith('+') || filter.startsWith('#');
}
