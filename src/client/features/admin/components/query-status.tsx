import { ErrorMessage } from './error-message';

/** What a list says while its request is on the way, or when it failed. */
export function QueryStatus({
  query,
  loading,
  failed,
}: {
  query: { isPending: boolean; error: Error | null };
  loading: string;
  failed: string;
}) {
  return (
    <>
      {query.isPending && <p className="muted">{loading}</p>}
      {query.error && <ErrorMessage error={query.error} action={failed} />}
    </>
  );
}
