import { parseArgs } from 'node:util';
import { isStorageError, type StorageError } from '../storage';
import type { CliDeps, Command } from './cli-context';
import {
  CliError,
  errorLine,
  EXIT_REFUSED,
  EXIT_WRONG_CALL,
  UsageError,
  type CliErrorCode,
} from './cli-error';
import { orgAdd, orgList } from './org-commands';
import { roomAdd, roomList } from './room-commands';
import {
  userAdd,
  userDisable,
  userEnable,
  userList,
  userPasswd,
  userRemove,
  userRole,
} from './user-commands';

export type { CliDeps } from './cli-context';

interface CommandSpec {
  run: Command;
  usage: string;
  /** Options this command takes; any other is refused rather than silently ignored. */
  options: readonly ('role' | 'password')[];
}

const COMMANDS: Record<string, CommandSpec> = {
  'org add': { run: orgAdd, usage: 'org add <org>', options: [] },
  'org list': { run: orgList, usage: 'org list', options: [] },
  'user add': {
    run: userAdd,
    usage: 'user add <user>@<org> --role <member|agent|service|admin> [--password <pw>]',
    options: ['role', 'password'],
  },
  'user list': { run: userList, usage: 'user list [<org>]', options: [] },
  'user remove': { run: userRemove, usage: 'user remove <user>@<org>', options: [] },
  'user role': {
    run: userRole,
    usage: 'user role <user>@<org> <member|agent|service|admin>',
    options: [],
  },
  'user passwd': {
    run: userPasswd,
    usage: 'user passwd <user>@<org> [--password <pw>]',
    options: ['password'],
  },
  'user disable': { run: userDisable, usage: 'user disable <user>@<org>', options: [] },
  'user enable': { run: userEnable, usage: 'user enable <user>@<org>', options: [] },
  'room add': { run: roomAdd, usage: 'room add <org> <room>', options: [] },
  'room list': { run: roomList, usage: 'room list <org>', options: [] },
};

const USAGE = [
  'usage: npm run cli -- <command>',
  ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
  'Without --password a password is generated and printed once.',
];

/**
 * Runs one admin command against `deps.storage`; resolves to the process exit status: 0,
 * EXIT_WRONG_CALL (called wrongly) or EXIT_REFUSED, each error printed as one line
 * `error[<code>]: <message>` (cli-error.ts).
 */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const err = deps.err ?? deps.out;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        role: { type: 'string' },
        password: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    err(errorLine('invalid_option', (e as Error).message));
    return EXIT_WRONG_CALL;
  }
  const { values, positionals } = parsed;
  const [group, action, ...rest] = positionals;
  if (values.help || group === undefined || group === 'help') {
    USAGE.forEach((line) => deps.out(line));
    return 0;
  }
  const key = `${group} ${action ?? ''}`;
  const spec = Object.hasOwn(COMMANDS, key) ? COMMANDS[key] : undefined;
  if (!spec) {
    err(errorLine('unknown_command', `unknown command "${positionals.slice(0, 2).join(' ')}"`));
    USAGE.forEach((line) => err(line));
    return EXIT_WRONG_CALL;
  }
  for (const option of ['role', 'password'] as const) {
    if (values[option] !== undefined && !spec.options.includes(option)) {
      err(errorLine('invalid_option', `"${group} ${action}" does not take --${option}`));
      return EXIT_WRONG_CALL;
    }
  }
  try {
    await spec.run({ positionals: rest, role: values.role, password: values.password }, deps);
    return 0;
  } catch (e) {
    if (e instanceof CliError || isStorageError(e)) {
      err(errorLine(e.code satisfies CliErrorCode, e.message));
      if (!isUsageError(e)) return EXIT_REFUSED;
      err(`usage: npm run cli -- ${spec.usage}`);
      return EXIT_WRONG_CALL;
    }
    throw e;
  }
}

/**
 * Whether the command was called wrongly, so that its usage line helps: an argument
 * missing, extra or malformed (an id or a role the store refuses as such). Not for a
 * refusal of what a right call would do: no such user, one that exists, the last admin.
 */
function isUsageError(e: CliError | StorageError): boolean {
  return e instanceof UsageError || (isStorageError(e) && e.code.startsWith('invalid_'));
}
