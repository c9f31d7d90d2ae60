import type { ReactNode } from 'react';
import type { RetainedMessage } from '../../api/get-retained';
import { formatBytes } from '../../lib/format';
import type { TopicNode } from '../../lib/topic-tree';

interface TreeProps {
  nodes: readonly TopicNode<RetainedMessage>[];
  selected: string | null;
  onSelect(topic: string): void;
}

/**
 * Nested lists of native disclosure widgets: keyboard and screen readers get expand and
 * collapse for free, with no roving focus to hand-roll.
 */
export function TopicTreeView({ nodes, selected, onSelect, label }: TreeProps & { label: string }) {
  return (
    <ul className="topic-tree" aria-label={label}>
      {nodes.map((node) => (
        <TopicTreeNode key={node.path} node={node} selected={selected} onSelect={onSelect} />
      ))}
    </ul>
  );
}

function TopicTreeNode({
  node,
  selected,
  onSelect,
}: {
  node: TopicNode<RetainedMessage>;
  selected: string | null;
  onSelect(topic: string): void;
}) {
  const leaf = node.item && (
    <MessageButton message={node.item} selected={selected === node.path} onSelect={onSelect}>
      {node.children.length > 0 ? '(this topic)' : levelName(node.level)}
    </MessageButton>
  );
  if (node.children.length === 0) return <li>{leaf}</li>;
  return (
    <li>
      <details className="topic-tree__group" open={selected?.startsWith(`${node.path}/`)}>
        <summary>
          <span className="topic-tree__level">{levelName(node.level)}/</span>{' '}
          <span className="muted">({node.count})</span>
        </summary>
        <ul className="topic-tree">
          {leaf && <li>{leaf}</li>}
          {node.children.map((child) => (
            <TopicTreeNode key={child.path} node={child} selected={selected} onSelect={onSelect} />
          ))}
        </ul>
      </details>
    </li>
  );
}

function MessageButton({
  message,
  selected,
  onSelect,
  children,
}: {
  message: RetainedMessage;
  selected: boolean;
  onSelect(topic: string): void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="topic-tree__message"
      aria-label={message.topic}
      aria-pressed={selected}
      onClick={() => onSelect(message.topic)}
    >
      <span className="topic-tree__level">{children}</span>
      <span className="muted">{formatBytes(message.size)}</span>
    </button>
  );
}

// An empty level is legal in MQTT (`a//b`); show it rather than nothing.
const levelName = (level: string) => (level === '' ? '(empty)' : level);
