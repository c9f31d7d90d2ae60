import type { StorageErrorCode } from '../storage';

/**
 * Every kind of error the CLI prints, as `error[<code>]: <message>`: the code is stable (a
 * script may test it), the message is for people and may be reworded. README's CLI section
 * lists them.
 */
export type CliErrorCode =
  // Called wrongly (exit status EXIT_WRONG_CALL):
  | 'unknown_command'
  | 'invalid_option' // an option it does not know, does not take, or without its value
  | 'missing_argument'
  | 'unexpected_argument'
  | 'invalid_username'
  | 'invalid_password'
  // Refused (exit status EXIT_REFUSED): the call was right, what it asks cannot be done.
  | 'last_admin'
  // Before any command runs (exit status EXIT_REFUSED).
  | 'invalid_config'
  | 'no_data'
  // The store's own, as the HTTP API names them: invalid_* are wrong calls, others refusals.
  | StorageErrorCode;

/** A refusal of what a right call would do (no such user, the last enabled admin). */
export const EXIT_REFUSED = 1;
/** A command called wrongly: its usage line follows the error. */
export const EXIT_WRONG_CALL = 2;

/**
 * A refusal the CLI prints as one line before exiting with status EXIT_REFUSED: of what the
 * command would do (no such user, the last enabled admin), its call being right.
 */
export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * A command called wrongly (an argument missing, extra or malformed): printed with the
 * command's usage line, which a refusal of what a right call would do does not need, and
 * exiting with status EXIT_WRONG_CALL.
 */
export class UsageError extends CliError {
  constructor(code: CliErrorCode, message: string) {
    super(code, message);
    this.name = 'UsageError';
  }
}

/** The line an error is printed as. */
export function errorLine(code: CliErrorCode, message: string): string {
  return `error[${code}]: ${message}`;
}
