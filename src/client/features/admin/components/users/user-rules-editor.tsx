import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { flushSync } from 'react-dom';
import { roleRules } from '../../../../../shared/acl';
import { isApiError } from '../../../../lib/api/api-error';
import type { AdminUser } from '../../api/get-users';
import { useSetUserRules } from '../../api/set-user-rules';
import { useFocusFieldInError } from '../../hooks/use-focus-field-in-error';
import {
  describeRule,
  draftError,
  newDraft,
  toDrafts,
  toRules,
  type RuleDraft,
} from '../../lib/rule-drafts';
import { ErrorMessage } from '../error-message';
import { FocusableButton } from '../focusable-button';
import { RuleFields } from './rule-fields';

/**
 * A user's extra ACL rules, checked before their role's. Order matters (the first rule
 * that matches decides), so rules can be moved. Each topic is checked as it is typed by
 * the same validator the server runs; a rule the server still refuses is marked by the
 * index its 400 answer carries.
 */
export function UserRulesEditor({ user, onClose }: { user: AdminUser; onClose(): void }) {
  const [drafts, setDrafts] = useState<RuleDraft[]>(() => toDrafts(user.rules));
  const [touched, setTouched] = useState<ReadonlySet<number>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const save = useSetUserRules();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => headingRef.current?.focus(), []);
  useFocusFieldInError(formRef, save.error); // the refused rule's topic

  const refused = refusedRule(save.error);
  const errorOf = (draft: RuleDraft, index: number): string | null => {
    const local = draftError(draft);
    if (local && (submitted || touched.has(draft.key))) return local;
    if (refused?.index === index) return `The server refused this rule: ${refused.reason}`;
    return null;
  };

  const edit = (next: RuleDraft[]) => {
    setDrafts(next);
    save.reset(); // an answer about the old list no longer applies
  };

  // Rendered at once (flushSync), so that focus can move to what the change just showed.
  const focusAfter = (change: () => void, selector: string) => {
    flushSync(change);
    formRef.current?.querySelector<HTMLElement>(selector)?.focus();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (drafts.some((draft) => draftError(draft) !== null)) {
      // To the first rule to fix, its error read out with it (aria-describedby), rather
      // than left on Save with nothing said.
      focusAfter(() => setSubmitted(true), '[aria-invalid="true"]');
      return;
    }
    setSubmitted(true);
    save.mutate({ user: user.user, rules: toRules(drafts) });
  };

  const add = () => focusAfter(() => edit([...drafts, newDraft()]), '.rule-row:last-child select');

  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    onClose();
  };

  const move = (index: number, offset: -1 | 1) => {
    const next = [...drafts];
    const [moved] = next.splice(index, 1);
    if (!moved) return;
    next.splice(index + offset, 0, moved);
    edit(next);
  };

  return (
    // Escape, from any of its controls, closes it as Close does (focus back on the Rules button).
    <section
      id="rules-editor"
      className="rules-editor"
      aria-labelledby="rules-editor-title"
      onKeyDown={closeOnEscape}
    >
      <h4 id="rules-editor-title" className="rules-editor__title" ref={headingRef} tabIndex={-1}>
        Extra rules for {user.user}
      </h4>
      <p className="muted">
        Checked before the {user.role} role&apos;s rules; the first rule that matches a topic
        decides. Use <code>{'${username}'}</code> and <code>{'${clientid}'}</code> as placeholders.
      </p>
      <form ref={formRef} onSubmit={submit} noValidate>
        {drafts.length === 0 ? (
          <p className="muted">No extra rules: {user.user} has the role&apos;s rules only.</p>
        ) : (
          <ol className="rules-editor__list" aria-label={`Extra rules for ${user.user}`}>
            {drafts.map((draft, index) => (
              <RuleFields
                key={draft.key}
                draft={draft}
                index={index}
                count={drafts.length}
                error={errorOf(draft, index)}
                onChange={(changed) => edit(drafts.map((d) => (d.key === draft.key ? changed : d)))}
                onTouch={() => setTouched((keys) => new Set(keys).add(draft.key))}
                onMove={(offset) => move(index, offset)}
                onRemove={() => edit(drafts.filter((d) => d.key !== draft.key))}
              />
            ))}
          </ol>
        )}
        {save.error && !refused && (
          <ErrorMessage error={save.error} action="Could not save the rules" />
        )}
        {refused && (
          <p className="form-error" role="alert">
            Could not save: rule {refused.index + 1} was refused.
          </p>
        )}
        {save.data && (
          <p className="notice" role="status">
            Saved {save.data.rules.length} {save.data.rules.length === 1 ? 'rule' : 'rules'} for{' '}
            {save.data.user}; applied to {save.data.connections} live{' '}
            {save.data.connections === 1 ? 'connection' : 'connections'}.
            {save.data.removedSubscriptions.length > 0 &&
              ` Removed subscriptions no longer allowed: ${save.data.removedSubscriptions.join(', ')}.`}
          </p>
        )}
        <div className="admin-actions">
          <button type="button" className="button" onClick={add}>
            Add a rule
          </button>
          <FocusableButton
            type="submit"
            className="button button--primary"
            unavailable={save.isPending}
          >
            {save.isPending ? 'Saving…' : 'Save rules'}
          </FocusableButton>
          <button type="button" className="button button--quiet" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
      <details className="rules-editor__role">
        <summary>Then the {user.role} role&apos;s rules</summary>
        <ol>
          {roleRules(user.role).map((rule) => (
            <li key={describeRule(rule)}>
              <code>{describeRule(rule)}</code>
            </li>
          ))}
        </ol>
      </details>
    </section>
  );
}

/** The server's 400 invalid_rule names the bad rule by index (details.index). */
function refusedRule(error: Error | null): { index: number; reason: string } | null {
  if (!isApiError(error) || error.code !== 'invalid_rule') return null;
  const index = error.details?.index;
  if (typeof index !== 'number') return null;
  const reason = error.details?.reason;
  return { index, reason: typeof reason === 'string' ? reason : error.message };
}
