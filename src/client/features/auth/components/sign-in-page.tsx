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
  const [formError, setFormError] = useState<string | null>(null);
  const errorId = useId();

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = username.trim().toLowerCase();
    if (!parseUsername(trimmed)) {
      setFormError('Use your name and organisation, for example alice@demo.');
      return;
    }
    if (password.length === 0) {
      setFormError('Enter your password.');
      return;
    }
    setFormError(null);
    setNotice(null);
    signIn.mutate({ username: trimmed, password });
  };

  const error = formError ?? (signIn.error ? describeSignInError(signIn.error) : null);

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
              aria-invalid={error ? true : undefined}
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
              aria-invalid={error ? true : undefined}
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

function describeSignInError(error: Error): string {
  if (!isApiError(error)) return 'Something went wrong. Try again.';
  if (error.status === 401 || error.code === 'invalid_credentials')
    return 'Wrong username or password.';
  if (error.status === 429) return 'Too many attempts. Wait a minute, then try again.';
  return error.message;
}
