import { useState, type FormEvent } from 'react';
import { ID_PATTERN, isValidId } from '../../../../shared/ids';
import { useCreateRoom } from '../api/create-room';
import { Field } from '../../../components/field';

export function NewRoomForm({ onCreated }: { onCreated(room: string): void }) {
  const createRoom = useCreateRoom();
  const [id, setId] = useState('');
  const [error, setError] = useState<string | null>(null);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const room = id.trim().toLowerCase();
    if (!isValidId(room)) {
      // The server answers both with one code (invalid_room_id): say which it is here.
      setError(
        ID_PATTERN.test(room)
          ? `“${room}” is a reserved name. Choose another room id.`
          : 'Use lowercase letters, digits, - and _ (up to 64).',
      );
      return;
    }
    setError(null);
    createRoom.mutate(room, {
      onSuccess: (created) => {
        setId('');
        onCreated(created.id);
      },
      onError: (cause) => setError(cause.message),
    });
  };

  return (
    <details className="new-room">
      <summary>New room</summary>
      <form onSubmit={onSubmit} className="new-room__form">
        <Field label="Room id">
          {(control) => (
            <input
              {...control}
              value={id}
              onChange={(event) => setId(event.target.value)}
              placeholder="design-review"
              maxLength={64}
            />
          )}
        </Field>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="button" type="submit" disabled={createRoom.isPending}>
          Create
        </button>
      </form>
    </details>
  );
}
