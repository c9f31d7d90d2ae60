import { useId } from 'react';
import type { AdminUser } from '../api/get-users';

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
  const id = useId();
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        User
      </label>
      <select
        id={id}
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
    </div>
  );
}
