import { useMemo, useRef, useState, type FormEvent } from 'react';
import { useClearRetained } from '../../api/clear-retained';
import { RETAINED_LIMIT, useRetained } from '../../api/get-retained';
import { buildTopicTree } from '../../lib/topic-tree';
import { useFocusAfterRemoval } from '../../hooks/use-focus-after-removal';
import { ErrorMessage } from '../error-message';
import { QueryStatus } from '../query-status';
import { RetainedMessageView } from './retained-message-view';
import { TopicTreeView } from './topic-tree-view';
import { Field } from '../../../../components/field';

export function RetainedView() {
  const [draftPrefix, setDraftPrefix] = useState('');
  const [prefix, setPrefix] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [cleared, setCleared] = useState<string | null>(null);
  const retained = useRetained(prefix);
  const clear = useClearRetained();

  const messages = retained.data?.messages;
  const tree = useMemo(() => (messages ? buildTopicTree(messages) : []), [messages]);
  const message = messages?.find((m) => m.topic === selected);
  // A cleared message's panel goes with its Clear button: focus goes to the heading.
  const headingRef = useRef<HTMLHeadingElement>(null);
  const keepFocus = useFocusAfterRemoval(headingRef);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setPrefix(draftPrefix.trim());
  };

  return (
    <div className="admin-section" ref={keepFocus}>
      <div className="admin-section__header">
        <h3 className="admin-section__title" ref={headingRef} tabIndex={-1}>
          Retained messages
        </h3>
        <button
          type="button"
          className="button button--small"
          onClick={() => void retained.refetch()}
        >
          Refresh
        </button>
      </div>
      <form className="admin-actions admin-actions--end" role="search" onSubmit={search}>
        <Field label="Topic prefix">
          {(control) => (
            <input
              {...control}
              type="search"
              value={draftPrefix}
              placeholder="agents/"
              autoCapitalize="none"
              spellCheck={false}
              onChange={(event) => setDraftPrefix(event.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button">
          Show
        </button>
      </form>
      <p className="notice" role="status" hidden={cleared === null}>
        {cleared && `Cleared the retained message on ${cleared}.`}
      </p>
      {clear.error && <ErrorMessage error={clear.error} action="Could not clear" />}
      <QueryStatus
        query={retained}
        loading="Loading retained messages…"
        failed="Could not load retained messages"
      />
      {retained.data?.truncated && (
        <p className="notice">
          Showing the first {RETAINED_LIMIT}; narrow the prefix to see the rest.
        </p>
      )}
      {messages && messages.length === 0 && (
        <p className="muted">No retained messages{prefix === '' ? '' : ` under “${prefix}”`}.</p>
      )}
      {messages && messages.length > 0 && (
        <div className="retained">
          <TopicTreeView
            label="Retained topics"
            nodes={tree}
            selected={selected}
            onSelect={(topic) => {
              setSelected(topic);
              clear.reset();
              setCleared(null);
            }}
          />
          {message && (
            <RetainedMessageView
              key={message.topic}
              message={message}
              clearing={clear.isPending}
              onClear={() =>
                clear.mutate(message.topic, {
                  onSuccess: () => {
                    setSelected(null);
                    setCleared(message.topic);
                  },
                })
              }
            />
          )}
        </div>
      )}
    </div>
  );
}
