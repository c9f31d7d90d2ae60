import { userInfo } from 'node:os';

/**
 * Who the audit log names for the changes made with the CLI: `cli:<OS user>`, the account
 * that ran it, as the system knows it (not $USER, which anyone sets). No user id holds a
 * ':', so the CLI cannot pass for a user of the org, nor one of them for the CLI.
 */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // A uid the system has no user for (a container run with --user 1234, say).
    const uid = process.getuid?.();
    return uid === undefined ? 'cli:unknown' : `cli:uid-${uid}`;
  }
}
