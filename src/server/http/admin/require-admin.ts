import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import { authOf } from '../require-session';

/** preHandler after requireSession: the admin console is for the org's admins only. */
export async function requireAdmin(request: FastifyRequest): Promise<void> {
  const { role } = authOf(request);
  if (role !== 'admin') {
    throw new ApiError(403, 'forbidden', 'only an admin of this org can do this');
  }
}
