// One MQTT client id per tab, stable across reloads (sessionStorage) so the broker
// resumes the same persistent session; `<user>-<random>` so it belongs to its user
// (the broker refuses another user's id) and two tabs never share one.
export const CLIENT_ID_STORAGE_KEY = 'switchboard:client-id';
const RANDOM_BYTES = 6; // 48 bits: collisions between one user's tabs are negligible

export function tabClientId(user: string, storage: Storage | null): string {
  const stored = safeGet(storage, CLIENT_ID_STORAGE_KEY);
  if (stored?.startsWith(`${user}-`)) return stored;
  const id = `${user}-${randomSuffix()}`;
  try {
    storage?.setItem(CLIENT_ID_STORAGE_KEY, id);
  } catch {
    // Storage disabled: the id lasts as long as this page does.
  }
  return id;
}

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(RANDOM_BYTES));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function safeGet(storage: Storage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}
