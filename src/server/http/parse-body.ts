import { z } from 'zod';
import { unknownFields } from '../../shared/schemas';
import { ApiError } from './errors';

/**
 * Validates a request body; refusals name the field and say what it should be. Schemas are
 * strict, as the MQTT payloads' are: a field a route does not take is refused
 * (`unknown_field`), never passed over, so a misspelt optional field is not silently lost.
 */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const unknown = result.error.issues.find((issue) => issue.code === 'unrecognized_keys');
  if (unknown) throw unknownFieldError(unknown.keys, unknown.path.join('.'));
  const detail = result.error.issues
    .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
    .join('; ');
  throw new ApiError(400, 'invalid_body', detail);
}

/** `keys` of the object at `path` ('' for the body itself) are not ones the route takes. */
export function unknownFieldError(keys: readonly string[], path: string): ApiError {
  const where = path === '' ? '' : ` (in ${path})`;
  return new ApiError(400, 'unknown_field', `${unknownFields(keys)}${where}: not taken here`);
}

// A route that acts on its URL alone: the app sends `{}` or nothing.
const noFieldsSchema = z.strictObject({}).optional();

/** For a route that takes no fields: refuses a body that has any. */
export function refuseFields(body: unknown): void {
  parseBody(noFieldsSchema, body);
}
