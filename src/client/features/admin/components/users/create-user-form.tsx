import { useId, useRef, useState, type FormEvent } from 'react';
import type { Role } from '../../../../../shared/acl';
import { isValidId } from '../../../../../shared/ids';
import { isApiError } from '../../../../lib/api/api-error';
import { useCreateUser, type CreatedUser } from '../../api/create-user';
import { useFocusFieldInError } from '../../hooks/use-focus-field-in-error';
import { USER_KINDS } from '../../lib/user-kinds';
import { ErrorMessage } from '../error-message';
import { FocusableButton } from '../focusable-button';
import { Field } from '../../../../components/field';

const ID_RULE = '1–64 lowercase letters, digits, "-" or "_", starting with a letter or digit';

export function CreateUserForm({ onCreated }: { onCreated(user: CreatedUser): void }) {
  const [user, setUser] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateUser();
  const ids = useId();
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFieldInError(formRef, create.error);

  const refused = refusedField(create.error);
  const refusal = (field: RefusedField) =>
    refused === field && create.error ? create.error.message : null;
  const idError =
    user === '' ? (submitted ? 'Give the user an id' : null) : (idProblem(user) ?? refusal('user'));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (user === '' || idProblem(user)) return;
    create.mutate(
      { user, role, ...(password === '' ? {} : { password }) },
      {
        onSuccess: (created) => {
          setUser('');
          setPassword('');
          setSubmitted(false);
          onCreated(created);
        },
      },
    );
  };

  return (
    <form
      ref={formRef}
      className="admin-form"
      aria-labelledby={`${ids}-title`}
      onSubmit={submit}
      noValidate
    >
      <h4 id={`${ids}-title`} className="admin-form__title">
        Add a user
      </h4>
      <div className="admin-form__fields">
        <Field label="User id" error={idError}>
          {(control) => (
            <input
              {...control}
              value={user}
              onChange={(event) => {
                setUser(event.target.value);
                create.reset();
              }}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Kind">
          {(control) => (
            <select
              {...control}
              value={role}
              onChange={(event) => setRole(event.target.value as Role)}
            >
              {USER_KINDS.map((kind) => (
                <option key={kind.role} value={kind.role}>
                  {kind.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label={
            <>
              Password <span className="muted">(optional)</span>
            </>
          }
          error={refusal('password')}
        >
          {(control) => (
            <input
              {...control}
              type="password"
              value={password}
              onChange={(event) => {
                setPassword(event.target.value);
                create.reset();
              }}
              autoComplete="new-password"
              placeholder="Leave empty to generate one"
            />
          )}
        </Field>
        <FocusableButton
          type="submit"
          className="button button--primary"
          unavailable={create.isPending}
        >
          {create.isPending ? 'Creating…' : 'Create user'}
        </FocusableButton>
      </div>
      {create.error && !refused && (
        <ErrorMessage error={create.error} action="Could not create the user" />
      )}
    </form>
  );
}

function idProblem(id: string): string | null {
  return isValidId(id) ? null : `Use ${ID_RULE}`;
}

type RefusedField = 'user' | 'password';

/** The field a refusal is about: shown there, and focused, rather than under the form. */
function refusedField(error: Error | null): RefusedField | null {
  if (!isApiError(error)) return null;
  switch (error.code) {
    case 'invalid_user_id':
    case 'user_exists':
      return 'user';
    case 'invalid_password':
      return 'password';
    default:
      return null;
  }
}
