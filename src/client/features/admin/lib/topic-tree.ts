// Retained topics grouped by level, for browsing: `agents/a1/state` sits under `agents`
// then `a1`. A topic can also be the parent of others (`a` and `a/b` both retained).

export interface TopicNode<T> {
  /** This level's name ('' is a valid, empty level). */
  level: string;
  /** The full topic up to and including this level. */
  path: string;
  /** The item retained on exactly this topic, if any. */
  item: T | null;
  children: TopicNode<T>[];
  /** Items in this subtree, this node's own included. */
  count: number;
}

export function buildTopicTree<T extends { topic: string }>(items: readonly T[]): TopicNode<T>[] {
  const root: TopicNode<T> = { level: '', path: '', item: null, children: [], count: 0 };
  for (const item of items) {
    let node = root;
    node.count++;
    const levels = item.topic.split('/');
    levels.forEach((level, index) => {
      let child = node.children.find((c) => c.level === level);
      if (!child) {
        child = {
          level,
          path: levels.slice(0, index + 1).join('/'),
          item: null,
          children: [],
          count: 0,
        };
        node.children.push(child);
      }
      child.count++;
      node = child;
    });
    node.item = item;
  }
  sortTree(root);
  return root.children;
}

function sortTree<T>(node: TopicNode<T>): void {
  node.children.sort((a, b) => (a.level < b.level ? -1 : a.level > b.level ? 1 : 0));
  for (const child of node.children) sortTree(child);
}
