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
};

export function auditActionLabel(action: string): string {
  return Object.hasOwn(ACTION_LABELS, action) ? (ACTION_LABELS[action] ?? action) : action;
}
