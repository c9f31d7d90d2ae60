// Ids of users, orgs, agents, rooms and clients end up inside topics and ACL templates,
// so they may not hold `/`, `+`, `#`, `@`, NUL or uppercase look-alikes.
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

// Names that are valid by the pattern but dangerous as object keys in any JS code that
// indexes by id (prototype pollution), and names reserved by the broker.
const RESERVED_IDS: ReadonlySet<string> = new Set([
  'constructor',
  'prototype',
  'hasownproperty',
  'isprototypeof',
  'propertyisenumerable',
  'tostring',
  'valueof',
  'tolocalestring',
]);

export function isValidId(id: string): boolean {
  return typeof id === 'string' && ID_PATTERN.test(id) && !RESERVED_IDS.has(id);
}

export interface Username {
  user: string;
  org: string;
}

/** Parses the wire username `<user>@<org>`; null when either part is not a valid id. */
export function parseUsername(username: string): Username | null {
  if (typeof username !== 'string') return null;
  const at = username.indexOf('@');
  if (at < 0 || at !== username.lastIndexOf('@')) return null;
  const user = username.slice(0, at);
  const org = username.slice(at + 1);
  return isValidId(user) && isValidId(org) ? { user, org } : null;
}

export function formatUsername(user: string, org: string): string {
  return `${user}@${org}`;
}
