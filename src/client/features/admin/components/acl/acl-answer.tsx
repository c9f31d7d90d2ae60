import type { AclAnswer, AclQuestion } from '../../api/check-acl';
import { describeRule } from '../../lib/rule-drafts';

const SOURCE_TEXT: Record<AclAnswer['source'], (question: AclQuestion, role: string) => string> = {
  extra: (q) => `from ${q.user}'s extra rules`,
  role: (_q, role) => `from the ${role} role's rules`,
  default: () => 'no rule matched, so the default (deny) decided',
};

export function AclAnswerView({ question, answer }: { question: AclQuestion; answer: AclAnswer }) {
  const verb = question.action === 'publish' ? 'publish to' : 'subscribe to';
  return (
    <section
      className={
        answer.allowed ? 'acl-answer acl-answer--allowed' : 'acl-answer acl-answer--denied'
      }
      aria-label="Answer"
    >
      <p className="acl-answer__verdict">
        <strong>{answer.allowed ? 'Allowed' : 'Denied'}:</strong> {question.user}{' '}
        {answer.allowed ? 'can' : 'cannot'} {verb} <code>{question.topic}</code>
      </p>
      <p>
        Decided by{' '}
        {answer.rule ? (
          <>
            the rule <code>{describeRule(answer.rule)}</code>,{' '}
          </>
        ) : null}
        {SOURCE_TEXT[answer.source](question, answer.role)}.
      </p>
      {answer.excluded.length > 0 && (
        <div>
          <p>Messages on topics these earlier rules deny are not delivered through it:</p>
          <ul>
            {answer.excluded.map((rule, index) => (
              <li key={`${index} ${describeRule(rule)}`}>
                <code>{describeRule(rule)}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {answer.disabled && (
        <p className="form-error">{question.user} is disabled: they cannot connect at all.</p>
      )}
    </section>
  );
}
