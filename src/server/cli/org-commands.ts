import { isValidId } from '../../shared/ids';
import type { Command } from './cli-context';
import { noMoreArguments } from './cli-context';
import { CliError } from './cli-error';

export const orgAdd: Command = ({ positionals: [org, ...extra] }, { storage, out }) => {
  noMoreArguments(extra);
  if (org === undefined) throw new CliError('missing <org>');
  if (!isValidId(org)) {
    throw new CliError(
      `"${org}" is not a valid org id: 1-64 lowercase letters, digits, "-" or "_"`,
    );
  }
  storage.users.addOrg(org);
  out(`created org ${org}`);
};

export const orgList: Command = ({ positionals }, { storage, out }) => {
  noMoreArguments(positionals);
  for (const org of storage.users.listOrgs()) out(org);
};
