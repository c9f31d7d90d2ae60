import { describeUnknownAddress } from './unknown-address';
import { notFoundTitleOf } from './view-title';

interface NotFoundViewProps {
  /** The address as it was (location.hash): named back as text, never as markup. */
  hash: string;
  onOpenRoom(room: string): void;
  onHome(): void;
}

/**
 * An address that names no view: says what was asked for, and leaves it in the address
 * bar, to correct; a room's address with no room id in it is a room not found.
 */
export function NotFoundView({ hash, onOpenRoom, onHome }: NotFoundViewProps) {
  const address = describeUnknownAddress(hash);
  const { kind, asked, suggestion } = address;
  return (
    <section className="not-found" aria-labelledby="not-found-heading">
      <h2 id="not-found-heading" className="view-title">
        {notFoundTitleOf(address)}
      </h2>
      {kind === 'room' ? (
        <p>
          There is no room #{asked}: room ids are lowercase letters, digits, “-” and “_”, up to 64
          characters.
        </p>
      ) : (
        <p>
          There is nothing at “{asked}” in Switchboard: the address may be mistyped or cut short.
        </p>
      )}
      <div className="not-found__actions">
        {suggestion !== null && (
          <button className="button" onClick={() => onOpenRoom(suggestion)}>
            Open #{suggestion}
          </button>
        )}
        <button className="button" onClick={onHome}>
          {kind === 'room' ? 'Back to your rooms' : 'Go to Welcome'}
        </button>
      </div>
    </section>
  );
}
