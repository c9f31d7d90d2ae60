// The server's audit action codes (stable), in words. An unknown code shows as itself, so
// a newer server's entries are never hidden.
const ACTION_LABELS: Readonly<Record<string, string>> = {
  'user.create': 'Created user',
  'user.role': 'Changed role',
  'user.disable': 'Disabled user',
  'user.enable': 'Enabled user',
  'user.delete': 'Deleted user',
  'user.password_reset': 'Reset password',
  'user.rules': 'Changed extra ACL rules',
  'user.revoke_tokens': "Revoked a user's tokens",
  'token.revoke': 'Revoked token',
  'session.disconnect': 'Disconnected session',
  'session.clear': 'Cleared stored session',
  'retained.clear': 'Cleared retained message',
  'org.create': 'Created organisation',
  'room.create': 'Created room',
};

export function auditActionLabel(action: string): string {
  return Object.hasOwn(ACTION_LABELS, action) ? (ACTION_LABELS[action] ?? action) : action;
}

// The CLI records its changes as `cli:<OS user>`; a user id never holds a `:`.
const CLI_ACTOR_PREFIX = 'cli:';

/** Who made a change, in words: an org user's id, or the OS user of a CLI change. */
export function auditActorLabel(actor: string): string {
  return actor.startsWith(CLI_ACTOR_PREFIX)
    ? `${actor.slice(CLI_ACTOR_PREFIX.length)} (command line)`
    : actor;
}
