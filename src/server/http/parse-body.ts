import type { z } from 'zod';
import { ApiError } from './errors';

/** Validates a request body; refusals name the field and say what it should be. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const detail = result.error.issues
    .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
    .join('; ');
  throw new ApiError(400, 'invalid_body', detail);
}
