import { useRef, useState } from 'react';
import { useUsers } from '../../api/get-users';
import { useFocusAfterRemoval } from '../../hooks/use-focus-after-removal';
import { AdminTableFrame } from '../admin-table';
import { OneTimeSecret } from '../one-time-secret';
import { QueryStatus } from '../query-status';
import { CreateUserForm } from './create-user-form';
import { USER_COLUMNS, UserRow } from './user-row';
import { UserRulesEditor } from './user-rules-editor';

interface Secret {
  title: string;
  password: string;
}

export function UsersView({ me }: { me: string }) {
  const users = useUsers();
  const [secret, setSecret] = useState<Secret | null>(null);
  // What the latest create or delete came to, when the secret panel does not say it.
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const editingUser = users.data?.find((u) => u.user === editing);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const keepFocus = useFocusAfterRemoval(headingRef);
  // The editor opens below the whole table: closing it puts focus back on the Rules button
  // of its row, not on the section's heading, far from the user one was working on.
  const rulesButtons = useRef(new Map<string, HTMLButtonElement>());
  const closeEditor = (user: string) => {
    rulesButtons.current.get(user)?.focus(); // before the editor, and its Close, are gone
    setEditing(null);
  };

  return (
    <div className="admin-section" ref={keepFocus}>
      <h3 className="admin-section__title" ref={headingRef} tabIndex={-1}>
        Users
      </h3>
      <CreateUserForm
        onCreated={(user) => {
          // With a generated password the secret panel says it; otherwise a short notice.
          setNotice(user.password === undefined ? `Created ${user.user}.` : null);
          setSecret(
            user.password === undefined
              ? null
              : { title: `Password for ${user.user}`, password: user.password },
          );
        }}
      />
      <p className="notice" role="status" hidden={notice === null}>
        {notice}
      </p>
      {secret && (
        <OneTimeSecret
          key={secret.password}
          title={secret.title}
          secret={secret.password}
          onDismiss={() => setSecret(null)}
        />
      )}
      <QueryStatus query={users} loading="Loading users…" failed="Could not load users" />
      {users.data && (
        <AdminTableFrame caption="Users of this organisation" columns={USER_COLUMNS}>
          {users.data.map((user) => (
            <UserRow
              key={user.user}
              user={user}
              self={user.user === me}
              editingRules={editing === user.user}
              onEditRules={() => setEditing(editing === user.user ? null : user.user)}
              rulesButtonRef={(button) => {
                if (button) rulesButtons.current.set(user.user, button);
                else rulesButtons.current.delete(user.user);
              }}
              onPasswordReset={(reset) => {
                setNotice(null);
                setSecret({ title: `New password for ${reset.user}`, password: reset.password });
              }}
              onDeleted={(deleted) => setNotice(`Deleted ${deleted}.`)}
            />
          ))}
        </AdminTableFrame>
      )}
      {editingUser && (
        <UserRulesEditor
          key={editingUser.user}
          user={editingUser}
          onClose={() => closeEditor(editingUser.user)}
        />
      )}
    </div>
  );
}
