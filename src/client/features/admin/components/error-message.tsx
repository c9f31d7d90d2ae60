import { isApiError } from '../../../lib/api/api-error';

/** A failed request, in words: what was being done, and the server's own message. */
export function ErrorMessage({ error, action }: { error: Error; action: string }) {
  return (
    <p className="form-error" role="alert">
      {action}: {error.message}
      {isApiError(error) && error.status > 0 && (
        <>
          {' '}
          <span className="admin-error-code">({error.code})</span>
        </>
      )}
    </p>
  );
}
