import type { AclAction, AclPermission } from '../../../../../shared/acl';
import { ACTIONS, PERMISSIONS, type RuleDraft } from '../../lib/rule-drafts';

interface RuleFieldsProps {
  draft: RuleDraft;
  index: number;
  count: number;
  /** Shown next to the topic: the shared validator's verdict, or the server's. */
  error: string | null;
  onChange(draft: RuleDraft): void;
  onTouch(): void;
  onMove(offset: -1 | 1): void;
  onRemove(): void;
}

export function RuleFields({
  draft,
  index,
  count,
  error,
  onChange,
  onTouch,
  onMove,
  onRemove,
}: RuleFieldsProps) {
  const n = index + 1;
  const id = `rule-${draft.key}`;
  // Each control names its rule, so a screen reader hears "Rule 2 topic filter".
  const label = (text: string) => (
    <span className="field__label">
      <span className="visually-hidden">Rule {n} </span>
      {text}
    </span>
  );

  return (
    <li className="rule-row">
      <span className="rule-row__number" aria-hidden="true">
        {n}.
      </span>
      <label className="field">
        {label('Permission')}
        <select
          value={draft.permission}
          onChange={(event) =>
            onChange({ ...draft, permission: event.target.value as AclPermission })
          }
        >
          {PERMISSIONS.map((permission) => (
            <option key={permission} value={permission}>
              {permission}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        {label('Action')}
        <select
          value={draft.action}
          onChange={(event) => onChange({ ...draft, action: event.target.value as AclAction })}
        >
          {ACTIONS.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </select>
      </label>
      <div className="field rule-row__topic">
        <label className="field__label" htmlFor={`${id}-topic`}>
          <span className="visually-hidden">Rule {n} </span>Topic filter
        </label>
        <input
          id={`${id}-topic`}
          value={draft.topic}
          placeholder="chat/general/messages"
          autoCapitalize="none"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error !== null}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(event) => {
            onTouch();
            onChange({ ...draft, topic: event.target.value });
          }}
          onBlur={onTouch}
        />
        {error && (
          <p id={`${id}-error`} className="field-error">
            {error}
          </p>
        )}
      </div>
      <div className="rule-row__buttons">
        <button
          type="button"
          className="icon-button icon-button--small"
          aria-label={`Move rule ${n} up`}
          disabled={index === 0}
          onClick={() => onMove(-1)}
        >
          <span aria-hidden="true">↑</span>
        </button>
        <button
          type="button"
          className="icon-button icon-button--small"
          aria-label={`Move rule ${n} down`}
          disabled={index === count - 1}
          onClick={() => onMove(1)}
        >
          <span aria-hidden="true">↓</span>
        </button>
        <button
          type="button"
          className="button button--small button--danger-quiet"
          aria-label={`Remove rule ${n}`}
          onClick={onRemove}
        >
          Remove
        </button>
      </div>
    </li>
  );
}
