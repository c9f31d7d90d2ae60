import type { Ref } from 'react';
import { ROLES, type Role } from '../../../../../shared/acl';
import { useDeleteUser } from '../../api/delete-user';
import type { AdminUser } from '../../api/get-users';
import { useResetPassword, type PasswordReset } from '../../api/reset-password';
import { useUpdateUser } from '../../api/update-user';
import { formatDateTime, isoTime } from '../../lib/format';
import { roleLabel } from '../../lib/user-kinds';
import { AdminRow, type AdminColumn } from '../admin-table';
import { ConfirmButton } from '../confirm-button';
import { ErrorMessage } from '../error-message';
import { FocusableButton } from '../focusable-button';

interface UserRowProps {
  user: AdminUser;
  /** The signed-in admin's own row: the server refuses those changes, so none are offered. */
  self: boolean;
  editingRules: boolean;
  onEditRules(): void;
  /** The Rules button, for focus to come back to when its editor closes. */
  rulesButtonRef?: Ref<HTMLButtonElement>;
  onPasswordReset(reset: PasswordReset): void;
  onDeleted(user: string): void;
}

// One set of mutations per row, shared by its cells: a pending change locks the role and Disable
// (aria-disabled, not disabled: each keeps focus while its change runs, see FocusableButton).
interface UserRowState extends UserRowProps {
  update: ReturnType<typeof useUpdateUser>;
  remove: ReturnType<typeof useDeleteUser>;
  reset: ReturnType<typeof useResetPassword>;
}

const ignore = () => {};

const selfNote = (self: boolean) =>
  self ? 'You cannot change this on your own account' : undefined;

export const USER_COLUMNS: readonly AdminColumn<UserRowState>[] = [
  {
    header: 'User',
    cell: ({ user, self }) => (
      <>
        {user.user}
        {self && (
          <>
            {' '}
            <span className="muted">(you)</span>
          </>
        )}
      </>
    ),
  },
  {
    header: 'Role',
    cell: ({ user, self, update }) => (
      <select
        aria-label={`Role of ${user.user}`}
        value={user.role}
        disabled={self}
        aria-disabled={update.isPending || undefined}
        title={selfNote(self)}
        onChange={(event) => {
          // Ignored while a change runs: the select snaps back to the role shown.
          if (!update.isPending)
            update.mutate({ user: user.user, role: event.target.value as Role });
        }}
      >
        {ROLES.map((role) => (
          <option key={role} value={role}>
            {roleLabel(role)}
          </option>
        ))}
      </select>
    ),
  },
  { header: 'Status', cell: ({ user }) => (user.disabled ? 'Disabled' : 'Active') },
  { header: 'Connections', cell: ({ user }) => user.connections },
  {
    header: 'Created',
    cell: ({ user }) => (
      <time dateTime={isoTime(user.createdAt)}>{formatDateTime(user.createdAt)}</time>
    ),
  },
  { header: 'Actions', cell: (row) => <UserActions {...row} /> },
];

export function UserRow(props: UserRowProps) {
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const reset = useResetPassword();
  return (
    <AdminRow
      className={props.user.disabled ? 'admin-table__row--muted' : undefined}
      columns={USER_COLUMNS}
      row={{ ...props, update, remove, reset }}
    />
  );
}

function UserActions({
  user,
  self,
  editingRules,
  onEditRules,
  rulesButtonRef,
  onPasswordReset,
  onDeleted,
  update,
  remove,
  reset,
}: UserRowState) {
  const name = user.user;
  const error = update.error ?? remove.error ?? reset.error;
  return (
    <>
      <div className="admin-actions">
        <button
          ref={rulesButtonRef}
          type="button"
          className="button button--small"
          aria-label={`Extra rules of ${name} (${user.rules.length})`}
          aria-expanded={editingRules}
          aria-controls={editingRules ? 'rules-editor' : undefined}
          onClick={onEditRules}
        >
          Rules ({user.rules.length})
        </button>
        <FocusableButton
          type="button"
          className="button button--small"
          aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${name}`}
          disabled={self}
          unavailable={update.isPending}
          title={selfNote(self)}
          onClick={() => update.mutate({ user: name, disabled: !user.disabled })}
        >
          {user.disabled ? 'Enable' : 'Disable'}
        </FocusableButton>
        <ConfirmButton
          label="Reset password"
          ariaLabel={`Reset password of ${name}`}
          question={`Reset ${name}'s password? They are signed out and password connections close.`}
          confirmLabel="Reset password"
          disabledReason={selfNote(self)}
          busy={reset.isPending}
          onConfirm={() => reset.mutate(name, { onSuccess: onPasswordReset })}
        />
        <ConfirmButton
          label="Delete"
          ariaLabel={`Delete ${name}`}
          question={`Delete ${name}? Their tokens are revoked and connections closed.`}
          confirmLabel={`Delete ${name}`}
          disabledReason={selfNote(self)}
          busy={remove.isPending}
          // The list drops the row at once, and mutate's callbacks with it: the promise
          // outlives the row. A refusal is shown from remove.error, in the row still there.
          onConfirm={() => void remove.mutateAsync(name).then(() => onDeleted(name), ignore)}
        />
      </div>
      {error && <ErrorMessage error={error} action={`Could not change ${name}`} />}
    </>
  );
}
