import { describe, expect, it } from 'vitest';
import {
  buildTopicTree,
  type TopicNode,
} from '../../../../src/client/features/admin/lib/topic-tree';

type Item = { topic: string };

/** The tree as `path(count)[*]` lines, indented by depth; `*` marks a retained topic. */
function outline(nodes: TopicNode<Item>[], depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${'  '.repeat(depth)}${n.path}(${n.count})${n.item ? '*' : ''}`,
    ...outline(n.children, depth + 1),
  ]);
}

describe('buildTopicTree', () => {
  it.each<[string, string[], string[]]>([
    ['nothing', [], []],
    ['one level', ['status'], ['status(1)*']],
    [
      'groups by level, sorted, with subtree counts',
      ['agents/b/state', 'agents/a/state', 'agents/a/replies', 'presence/bob/bob-1'],
      [
        'agents(3)',
        '  agents/a(2)',
        '    agents/a/replies(1)*',
        '    agents/a/state(1)*',
        '  agents/b(1)',
        '    agents/b/state(1)*',
        'presence(1)',
        '  presence/bob(1)',
        '    presence/bob/bob-1(1)*',
      ],
    ],
    ['a topic that is also a parent', ['a', 'a/b'], ['a(2)*', '  a/b(1)*']],
    ['empty levels', ['a//b', '/x'], ['(1)', '  /x(1)*', 'a(1)', '  a/(1)', '    a//b(1)*']],
  ])('%s', (_name, topics, expected) => {
    const outlined = outline(buildTopicTree(topics.map((topic) => ({ topic }))));
    // The empty first level of "/x" has path "", shown as "(1)".
    expect(outlined).toEqual(expected);
  });

  it('keeps the items themselves', () => {
    const item = { topic: 'x/y', payload: 'hello' };
    expect(buildTopicTree([item])[0]?.children[0]?.item).toBe(item);
  });
});
