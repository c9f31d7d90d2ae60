import { useId, useState, type FormEvent } from 'react';
import { validateTopicFilter, validateTopicName } from '../../../../../shared/topic-filter';
import { useCheckAcl, type AclQuestion } from '../../api/check-acl';
import { useUsers } from '../../api/get-users';
import { ErrorMessage } from '../error-message';
import { FocusableButton } from '../focusable-button';
import { UserSelect } from '../user-select';
import { AclAnswerView } from './acl-answer';
import { Field } from '../../../../components/field';

type Action = AclQuestion['action'];

/**
 * "Can <user> publish/subscribe <topic>?", answered by the server with the evaluator the
 * broker uses, so the answer is what the broker will do, not a guess made here.
 */
export function AclChecker() {
  const users = useUsers();
  const check = useCheckAcl();
  const [user, setUser] = useState('');
  const [action, setAction] = useState<Action>('publish');
  const [topic, setTopic] = useState('');
  const [clientId, setClientId] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const ids = useId();

  const chosenUser = user || users.data?.[0]?.user || '';
  // A publish names one topic; a subscription may use wildcards.
  const topicError =
    topic === '' && !submitted
      ? null
      : ((action === 'publish' ? validateTopicName(topic) : validateTopicFilter(topic))?.message ??
        null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const error = action === 'publish' ? validateTopicName(topic) : validateTopicFilter(topic);
    if (error || chosenUser === '') {
      // The last answer was to another question: left there, it would read as this one's.
      check.reset();
      return;
    }
    check.mutate({
      user: chosenUser,
      action,
      topic,
      ...(clientId === '' ? {} : { clientId }),
    });
  };

  return (
    <div className="admin-section">
      <h3 className="admin-section__title">ACL check</h3>
      <p className="muted">
        Asks the same rules the broker applies: the user&apos;s extra rules first, then their
        role&apos;s.
      </p>
      {users.error && <ErrorMessage error={users.error} action="Could not load users" />}
      <form className="admin-form" onSubmit={submit} noValidate aria-label="ACL check">
        <div className="admin-form__fields">
          <UserSelect
            users={users.data}
            value={chosenUser}
            disabled={!users.data}
            onChange={setUser}
          />
          <fieldset className="admin-form__fieldset">
            <legend className="field__label">Action</legend>
            {(['publish', 'subscribe'] as const).map((a) => (
              <label key={a}>
                <input
                  type="radio"
                  name={`${ids}-action`}
                  value={a}
                  checked={action === a}
                  onChange={() => setAction(a)}
                />
                {a}
              </label>
            ))}
          </fieldset>
          <Field label={action === 'publish' ? 'Topic' : 'Topic filter'} error={topicError}>
            {(control) => (
              <input
                {...control}
                value={topic}
                placeholder="chat/general/messages"
                autoCapitalize="none"
                autoComplete="off"
                spellCheck={false}
                onChange={(event) => setTopic(event.target.value)}
              />
            )}
          </Field>
          <Field
            label={
              <>
                Client id <span className="muted">(for {'${clientid}'} rules)</span>
              </>
            }
          >
            {(control) => (
              <input
                {...control}
                value={clientId}
                autoCapitalize="none"
                autoComplete="off"
                spellCheck={false}
                onChange={(event) => setClientId(event.target.value)}
              />
            )}
          </Field>
          <FocusableButton
            type="submit"
            className="button button--primary"
            disabled={!users.data}
            unavailable={check.isPending}
          >
            {check.isPending ? 'Checking…' : 'Check'}
          </FocusableButton>
        </div>
      </form>
      <div aria-live="polite">
        {check.error && <ErrorMessage error={check.error} action="Could not check" />}
        {check.data && check.variables && !topicError && (
          <AclAnswerView question={check.variables} answer={check.data} />
        )}
      </div>
    </div>
  );
}
