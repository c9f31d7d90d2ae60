import type { Role } from '../../../../shared/acl';

// What an admin creates, in their words; each kind is one of the roles' rule templates.
export const USER_KINDS: readonly { role: Role; label: string }[] = [
  { role: 'member', label: 'Person (member)' },
  { role: 'admin', label: 'Person (admin)' },
  { role: 'service', label: 'Service' },
  { role: 'agent', label: 'Agent' },
];

export function roleLabel(role: Role): string {
  return USER_KINDS.find((kind) => kind.role === role)?.label ?? role;
}
