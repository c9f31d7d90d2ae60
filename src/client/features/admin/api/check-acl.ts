import { useMutation } from '@tanstack/react-query';
import type { AclRule, Role } from '../../../../shared/acl';
import { apiFetch } from '../../../lib/api/api-fetch';

export interface AclQuestion {
  user: string;
  action: 'publish' | 'subscribe';
  topic: string;
  /** For ${clientid} rules; without it those rules never apply. */
  clientId?: string;
}

export interface AclAnswer {
  allowed: boolean;
  /** The rule that decided; null when none applied and the default (deny) did. */
  rule: AclRule | null;
  /**
   * For an allowed subscription: deny rules covering part of the filter. Messages on the
   * topics they cover are not delivered through it.
   */
  excluded: AclRule[];
  /**
   * Asked without a client id: rules naming ${clientid} that were skipped but would apply
   * to this topic for some client id.
   */
  clientIdRules: AclRule[];
  /** Which list the deciding rule came from. */
  source: 'extra' | 'role' | 'default';
  role: Role;
  disabled: boolean;
}

export function checkAcl(question: AclQuestion): Promise<AclAnswer> {
  return apiFetch<AclAnswer>('/api/admin/acl-check', { method: 'POST', body: question });
}

// A mutation, not a query: each press of "Check" asks again, so an answer is never stale
// after a rule changed elsewhere.
export const useCheckAcl = () => useMutation({ mutationFn: checkAcl });
