import type { AdminUser } from '../api/get-users';
import { Field } from '../../../components/field';

/** The "User" field over the org's users; `anyLabel` leads with an option for none in particular (''). */
export function UserSelect({
  users,
  value,
  onChange,
  disabled,
  anyLabel,
}: {
  users: readonly AdminUser[] | undefined;
  value: string;
  onChange(user: string): void;
  disabled?: boolean;
  anyLabel?: string;
}) {
  return (
    <Field label="User">
      {(control) => (
        <select
          {...control}
          value={value}
          disabled={disabled}
          onChange={(event) => onChange(event.target.value)}
        >
          {anyLabel !== undefined && <option value="">{anyLabel}</option>}
          {users?.map((u) => (
            <option key={u.user} value={u.user}>
              {u.user}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
