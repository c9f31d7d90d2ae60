/**
 * A room the location names that the server does not list: none by that id, or none the
 * person may read. Which of the two is not said (the server does not tell either), and
 * nothing can be written there.
 */
export function RoomNotFound({ room, onLeave }: { room: string; onLeave(): void }) {
  return (
    <section className="room-not-found" aria-labelledby="room-heading">
      <h2 id="room-heading" className="view-title">
        Room not found
      </h2>
      <p>
        There is no room #{room} that you can open: it does not exist, or you do not have access to
        it.
      </p>
      <button className="button" onClick={onLeave}>
        Back to your rooms
      </button>
    </section>
  );
}
