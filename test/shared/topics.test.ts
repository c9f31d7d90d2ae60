import { describe, expect, it } from 'vitest';
import {
  agentInboxTopic,
  agentRepliesTopic,
  agentStateTopic,
  chatMessagesTopic,
  chatTypingTopic,
  notificationsTopic,
  parseTopic,
  presenceTopic,
} from '../../src/shared/topics';

describe('topic builders round-trip through parseTopic', () => {
  it.each([
    [chatMessagesTopic('general'), { kind: 'chat-message', room: 'general' }],
    [chatTypingTopic('ops'), { kind: 'chat-typing', room: 'ops' }],
    [presenceTopic('alice', 'alice-x1'), { kind: 'presence', user: 'alice', clientId: 'alice-x1' }],
    [notificationsTopic('bob'), { kind: 'notification', user: 'bob' }],
    [agentStateTopic('agent-01'), { kind: 'agent-state', agent: 'agent-01' }],
    [agentInboxTopic('agent-01'), { kind: 'agent-inbox', agent: 'agent-01' }],
    [agentRepliesTopic('agent-01'), { kind: 'agent-replies', agent: 'agent-01' }],
  ])('%s', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });
});

describe('parseTopic refuses what is outside the contract', () => {
  it.each([
    'chat/general',
    'chat/general/messages/extra',
    'chat/General/messages',
    'chat/__proto__/messages',
    'chat/constructor/messages',
    'chat/general/toString',
    'agents/a/hasOwnProperty',
    'presence/alice',
    'presence/alice/+',
    'notifications/alice/x',
    'notifications',
    '$SYS/broker',
    'other/a/b',
    '',
    // empty levels, wherever they are
    'notifications/alice/',
    'chat//messages',
    'chat/general/',
    '/chat/general',
    'chat/general/messages/',
    'agents/a/state//',
    '//',
  ])('%j', (topic) => {
    expect(parseTopic(topic)).toBeNull();
  });
});
