import type { AclAction, AclPermission } from '../../../../../shared/acl';
import { ACTIONS, PERMISSIONS, type RuleDraft } from '../../lib/rule-drafts';
import { Field } from '../../../../components/field';
import { FocusableButton } from '../focusable-button';

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
  // Each control names its rule, so a screen reader hears "Rule 2 topic filter". The
  // space stands outside the hidden span: a name is made of each element's trimmed text.
  const label = (text: string) => (
    <>
      <span className="visually-hidden">Rule {n}</span> {text}
    </>
  );

  return (
    <li className="rule-row">
      <span className="rule-row__number" aria-hidden="true">
        {n}.
      </span>
      <Field label={label('Permission')}>
        {(control) => (
          <select
            {...control}
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
        )}
      </Field>
      <Field label={label('Action')}>
        {(control) => (
          <select
            {...control}
            value={draft.action}
            onChange={(event) => onChange({ ...draft, action: event.target.value as AclAction })}
          >
            {ACTIONS.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={label('Topic filter')} error={error} className="rule-row__topic">
        {(control) => (
          <input
            {...control}
            value={draft.topic}
            placeholder="chat/general/messages"
            autoCapitalize="none"
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => {
              onTouch();
              onChange({ ...draft, topic: event.target.value });
            }}
            onBlur={onTouch}
          />
        )}
      </Field>
      <div className="rule-row__buttons">
        {/* Focus moves with the rule: at the top, its Move up button must keep it. */}
        <FocusableButton
          type="button"
          className="icon-button icon-button--small"
          aria-label={`Move rule ${n} up`}
          unavailable={index === 0}
          onClick={() => onMove(-1)}
        >
          <span aria-hidden="true">↑</span>
        </FocusableButton>
        <FocusableButton
          type="button"
          className="icon-button icon-button--small"
          aria-label={`Move rule ${n} down`}
          unavailable={index === count - 1}
          onClick={() => onMove(1)}
        >
          <span aria-hidden="true">↓</span>
        </FocusableButton>
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
