import { reloadPage } from './reload-page';

/**
 * A lazily loaded chunk that did not arrive: most often one this page's build named and a
 * redeploy has since removed (assets/ holds only the current build's files), else the
 * network. The page cannot go on without it; a reload fetches the new build's names.
 */
export class ChunkLoadError extends Error {
  constructor(chunk: string, cause: unknown) {
    super(`The ${chunk} chunk could not be loaded`, { cause });
    this.name = 'ChunkLoadError';
  }
}

const RELOADED_KEY_PREFIX = 'switchboard.reloaded-for-chunk.';

/**
 * `import()` for React.lazy. A chunk that fails reloads the page once, at once (the user
 * sees "Opening…" go on, not an error), and fails with a ChunkLoadError if it fails again
 * after that reload: one mark per chunk in sessionStorage, so a chunk that is missing for
 * good cannot reload the page in a loop; one that loads clears its mark, so a later deploy
 * gets its own reload.
 */
export function loadChunk<T>(chunk: string, load: () => Promise<T>): () => Promise<T> {
  const key = RELOADED_KEY_PREFIX + chunk;
  return async () => {
    try {
      const loaded = await load();
      forget(key);
      return loaded;
    } catch (error) {
      if (markOnce(key)) {
        reloadPage();
        // Nothing to render until the page goes: the Suspense fallback stays.
        return new Promise<T>(() => {});
      }
      throw new ChunkLoadError(chunk, error);
    }
  };
}

/** Whether this is the chunk's first failure since it last loaded (or storage is off). */
function markOnce(key: string): boolean {
  try {
    if (sessionStorage.getItem(key) !== null) return false;
    sessionStorage.setItem(key, String(Date.now()));
    return true;
  } catch {
    // No storage to guard a reload with: the user reloads, with the button.
    return false;
  }
}

function forget(key: string): void {
  try {
    sessionStorage.removeItem(key);
  } catch {
    // Nothing was marked without storage.
  }
}
