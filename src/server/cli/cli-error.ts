/**
 * A refusal the CLI prints as one line before exiting with status 1: of what the command
 * would do (no such user, the last enabled admin), its call being right.
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * A command called wrongly (an argument missing, extra or malformed): printed with the
 * command's usage line, which a refusal of what a right call would do does not need.
 */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
