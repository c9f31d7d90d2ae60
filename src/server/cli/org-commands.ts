import { isValidId } from '../../shared/ids';
import type { Command } from './cli-context';
import { noMoreArguments } from './cli-context';
import { UsageError } from './cli-error';

export const orgAdd: Command = ({ positionals: [org, ...extra] }, { storage, actor, out }) => {
  noMoreArguments(extra);
  if (org === undefined) throw new UsageError('missing_argument', 'missing <org>');
  if (!isValidId(org)) {
    throw new UsageError(
      'invalid_id',
      `"${org}" is not a valid org id: 1-64 lowercase letters, digits, "-" or "_"`,
    );
  }
  // In the new org's own log, in one transaction with it, as each change (user-commands.ts).
  storage.transaction(() => {
    storage.users.addOrg(org);
    storage.audit.record(org, { actor, action: 'org.create', target: org });
  });
  out(`created org ${org}`);
};

export const orgList: Command = ({ positionals }, { storage, out }) => {
  noMoreArguments(positionals);
  for (const org of storage.users.listOrgs()) out(org);
};
