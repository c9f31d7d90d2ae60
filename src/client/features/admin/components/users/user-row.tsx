import { ROLES, type Role } from '../../../../../shared/acl';
import { useDeleteUser } from '../../api/delete-user';
import type { AdminUser } from '../../api/get-users';
import { useResetPassword, type PasswordReset } from '../../api/reset-password';
import { useUpdateUser } from '../../api/update-user';
import { formatDateTime, isoTime } from '../../lib/format';
import { roleLabel } from '../../lib/user-kinds';
import { ConfirmButton } from '../confirm-button';
import { ErrorMessage } from '../error-message';

interface UserRowProps {
  user: AdminUser;
  /** The signed-in admin's own row: the server refuses those changes, so none are offered. */
  self: boolean;
  editingRules: boolean;
  onEditRules(): void;
  onPasswordReset(reset: PasswordReset): void;
}

export function UserRow({ user, self, editingRules, onEditRules, onPasswordReset }: UserRowProps) {
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const reset = useResetPassword();
  const name = user.user;
  const error = update.error ?? remove.error ?? reset.error;
  const selfNote = self ? 'You cannot change this on your own account' : undefined;

  return (
    <tr className={user.disabled ? 'admin-table__row--muted' : undefined}>
      <th scope="row" data-label="User">
        {name}
        {self && <span className="muted"> (you)</span>}
      </th>
      <td data-label="Role">
        <select
          aria-label={`Role of ${name}`}
          value={user.role}
          disabled={self || update.isPending}
          title={selfNote}
          onChange={(event) => update.mutate({ user: name, role: event.target.value as Role })}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {roleLabel(role)}
            </option>
          ))}
        </select>
      </td>
      <td data-label="Status">{user.disabled ? 'Disabled' : 'Active'}</td>
      <td data-label="Connections">{user.connections}</td>
      <td data-label="Created">
        <time dateTime={isoTime(user.createdAt)}>{formatDateTime(user.createdAt)}</time>
      </td>
      <td data-label="Actions">
        <div className="admin-actions">
          <button
            type="button"
            className="button button--small"
            aria-label={`Extra rules of ${name} (${user.rules.length})`}
            aria-expanded={editingRules}
            aria-controls={editingRules ? 'rules-editor' : undefined}
            onClick={onEditRules}
          >
            Rules ({user.rules.length})
          </button>
          <button
            type="button"
            className="button button--small"
            aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${name}`}
            disabled={self || update.isPending}
            title={selfNote}
            onClick={() => update.mutate({ user: name, disabled: !user.disabled })}
          >
            {user.disabled ? 'Enable' : 'Disable'}
          </button>
          <ConfirmButton
            label="Reset password"
            ariaLabel={`Reset password of ${name}`}
            question={`Reset ${name}'s password? They are signed out and password connections close.`}
            confirmLabel="Reset password"
            disabled={self}
            busy={reset.isPending}
            onConfirm={() => reset.mutate(name, { onSuccess: onPasswordReset })}
          />
          <ConfirmButton
            label="Delete"
            ariaLabel={`Delete ${name}`}
            question={`Delete ${name}? Their tokens are revoked and connections closed.`}
            confirmLabel={`Delete ${name}`}
            disabled={self}
            busy={remove.isPending}
            onConfirm={() => remove.mutate(name)}
          />
        </div>
        {error && <ErrorMessage error={error} action={`Could not change ${name}`} />}
      </td>
    </tr>
  );
}
