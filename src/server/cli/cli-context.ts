import { parseUsername, type Username } from '../../shared/ids';
import type { Storage } from '../storage';
import { UsageError } from './cli-error';

export interface CliDeps {
  storage: Storage;
  /** Who the audit log names for each change (`cli:<OS user>`, cli-actor.ts). */
  actor: string;
  /** Normal output, one line per call. */
  out: (line: string) => void;
  /** Errors; defaults to `out`. */
  err?: (line: string) => void;
  /**
   * The most rooms an org may have (MAX_ROOMS_PER_ORG, as the CLI's environment sets it, the
   * way the server reads it from its own); the default setting's when not given.
   */
  maxRoomsPerOrg?: number;
}

export interface CommandInput {
  positionals: string[];
  role: string | undefined;
  password: string | undefined;
}

export type Command = (input: CommandInput, deps: CliDeps) => Promise<void> | void;

export function requireUsername(value: string | undefined): Username {
  if (value === undefined) throw new UsageError('missing_argument', 'missing <user>@<org>');
  const parsed = parseUsername(value);
  if (!parsed) {
    throw new UsageError(
      'invalid_username',
      `"${value}" is not <user>@<org>: both are 1-64 lowercase letters, digits, "-" or "_"`,
    );
  }
  return parsed;
}

export function noMoreArguments(extra: string[]): void {
  if (extra.length > 0)
    throw new UsageError('unexpected_argument', `unexpected argument "${extra[0]}"`);
}
