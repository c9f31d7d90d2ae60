import type { AclRule } from '../../../../../shared/acl';
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
      <RuleList
        label="Excluded"
        intro="Messages on topics these earlier rules deny are not delivered through it:"
        rules={answer.excluded}
      />
      <RuleList
        label="Skipped without a client id"
        intro="Without a client id, these rules were skipped; give one to check them as a connection would:"
        rules={answer.clientIdRules}
      />
      {answer.disabled && (
        <p className="form-error">{question.user} is disabled: they cannot connect at all.</p>
      )}
    </section>
  );
}

/** Rules the answer depends on beside the deciding one; nothing when there are none. */
function RuleList({ label, intro, rules }: { label: string; intro: string; rules: AclRule[] }) {
  if (rules.length === 0) return null;
  return (
    <>
      <p>{intro}</p>
      <ul aria-label={label}>
        {rules.map((rule, index) => (
          <li key={`${index} ${describeRule(rule)}`}>
            <code>{describeRule(rule)}</code>
          </li>
        ))}
      </ul>
    </>
  );
}
