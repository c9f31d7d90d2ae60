// Every refusal from the store carries a stable code, so the HTTP API and the CLI can
// map it to their own answer without parsing messages.
export type StorageErrorCode =
  | 'invalid_id'
  | 'invalid_role'
  | 'invalid_name'
  | 'invalid_rule'
  | 'invalid_cursor'
  | 'invalid_argument'
  | 'unknown_org'
  | 'exists'
  | 'name_taken'
  | 'room_limit_reached'
  | 'not_found'
  | 'schema_too_new';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
