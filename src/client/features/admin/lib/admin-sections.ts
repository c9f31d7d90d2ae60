// The console's sections, in tab order: the tab list and the panel switch share this list.
export const ADMIN_SECTIONS = [
  { id: 'users', label: 'Users' },
  { id: 'acl', label: 'ACL check' },
  { id: 'tokens', label: 'Tokens' },
  { id: 'sessions', label: 'Sessions' },
  { id: 'retained', label: 'Retained' },
  { id: 'health', label: 'Health' },
  { id: 'audit', label: 'Audit log' },
] as const;

export type AdminSection = (typeof ADMIN_SECTIONS)[number]['id'];
