import { isValidId } from '../../shared/ids';
import { StorageError } from './storage-error';

// Checked at the store boundary too (not only at the HTTP edge): the CLI and the broker
// write here directly, and an id ends up inside topics and ACL templates.
export function assertId(kind: string, id: string): void {
  if (!isValidId(id)) {
    throw new StorageError(
      'invalid_id',
      `invalid ${kind} id "${id}": use 1-64 lowercase letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
}
