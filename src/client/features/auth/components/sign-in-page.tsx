import { useId, useState, type FormEvent } from 'react';
import { parseUsername } from '../../../../shared/ids';
import { isApiError } from '../../../lib/api/api-error';
import { useSignIn } from '../api/create-session';
import { useAuthNoticeStore } from '../stores/auth-notice-store';
import { Field } from '../../../components/field';

// Kept free of anything MQTT: this page is the whole first download (see app.tsx).
export function SignInPage() {
  const signIn = useSignIn();
  const notice = useAuthNoticeStore((state) => state.notice);
  const setNotice = useAuthNoticeStore((state) => state.setNotice);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [formError, setFormError] = useState<FormError | null>(null);
  const errorId = useId();

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = username.trim().toLowerCase();
    const checked = checkForm(trimmed, password);
    setFormError(checked);
    if (checked) return;
    setNotice(null);
    signIn.mutate({ username: trimmed, password });
  };

  const error = formError?.message ?? (signIn.error ? describeSignInError(signIn.error) : null);
  // Wrong credentials are either field; the form's own check marks the fields it names, and
  // a disabled account or throttling marks none (nothing typed is wrong).
  const credentialsWrong = !formError && signIn.error !== null && isWrongCredentials(signIn.error);
  const usernameInvalid = formError ? formError.username : credentialsWrong;
  const passwordInvalid = formError ? formError.password : credentialsWrong;

  return (
    <main className="sign-in" id="main">
      <form
        className="sign-in__card"
        onSubmit={onSubmit}
        noValidate
        aria-describedby={error ? errorId : undefined}
      >
        <h1 className="sign-in__title">Switchboard</h1>
        <p className="sign-in__lead">Sign in to your workspace.</p>
        {notice && !error && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <Field label="Username">
          {(control) => (
            <input
              {...control}
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              placeholder="alice@demo"
              value={username}
              onChange={(event) => setUsername(event.target.value)}
              aria-invalid={usernameInvalid || undefined}
              required
            />
          )}
        </Field>
        <Field label="Password">
          {(control) => (
            <input
              {...control}
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-invalid={passwordInvalid || undefined}
              required
            />
          )}
        </Field>
        {error && (
          <p className="form-error" role="alert" id={errorId}>
            {error}
          </p>
        )}
        <button className="button button--primary" type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

interface FormError {
  message: string;
  username: boolean;
  password: boolean;
}

/** What is wrong with the form before asking the server: every field that is, said once. */
function checkForm(username: string, password: string): FormError | null {
  const badUsername = !parseUsername(username);
  const noPassword = password.length === 0;
  if (!badUsername && !noPassword) return null;
  const said: string[] = [];
  if (badUsername) said.push('Use your name and organisation, for example alice@demo.');
  if (noPassword) said.push(badUsername ? 'Enter your password too.' : 'Enter your password.');
  return { message: said.join(' '), username: badUsername, password: noPassword };
}

const isWrongCredentials = (error: Error): boolean =>
  isApiError(error) && (error.status === 401 || error.code === 'invalid_credentials');

function describeSignInError(error: Error): string {
  if (!isApiError(error)) return 'Something went wrong. Try again.';
  if (isWrongCredentials(error)) return 'Wrong username or password.';
  if (error.code === 'account_disabled')
    return 'This account is disabled. Ask an admin of your organisation to enable it.';
  if (error.code === 'not_an_app_account')
    return 'This is an agent or service account: it connects over MQTT with its password and cannot sign in to the app.';
  if (error.status === 429) return 'Too many attempts. Wait a minute, then try again.';
  return error.message;
}
