import { useState } from 'react';
import { useUsers } from '../../api/get-users';
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
  const [created, setCreated] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const editingUser = users.data?.find((u) => u.user === editing);

  return (
    <div className="admin-section">
      <h3 className="admin-section__title">Users</h3>
      <CreateUserForm
        onCreated={(user) => {
          // With a generated password the secret panel says it; otherwise a short notice.
          setCreated(user.user);
          setSecret(
            user.password === undefined
              ? null
              : { title: `Password for ${user.user}`, password: user.password },
          );
        }}
      />
      {created && !secret && (
        <p className="notice" role="status">
          Created {created}.
        </p>
      )}
      {secret && (
        <OneTimeSecret
          key={secret.password}
          title={secret.title}
          secret={secret.password}
          onDismiss={() => {
            setSecret(null);
            setCreated(null);
          }}
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
              onPasswordReset={(reset) =>
                setSecret({ title: `New password for ${reset.user}`, password: reset.password })
              }
            />
          ))}
        </AdminTableFrame>
      )}
      {editingUser && (
        <UserRulesEditor
          key={editingUser.user}
          user={editingUser}
          onClose={() => setEditing(null)}
        />
      )}
    </div>
  );
}
