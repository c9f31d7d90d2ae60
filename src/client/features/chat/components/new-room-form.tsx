import { useId, useRef, useState, type FormEvent } from 'react';
import { useCreateRoom } from '../api/create-room';
import { Field } from '../../../components/field';
import { newRoomProblem, roomIdProblem, type NewRoomProblem } from '../lib/new-room-problem';

export function NewRoomForm({ onCreated }: { onCreated(room: string): void }) {
  const createRoom = useCreateRoom();
  const [id, setId] = useState('');
  const [problem, setProblem] = useState<NewRoomProblem | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const errorId = useId();
  const summaryId = useId();

  // The id stays as typed, to correct; focus goes to it when it is what to change.
  const show = (found: NewRoomProblem) => {
    setProblem(found);
    if (found.field) input.current?.focus();
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const room = id.trim().toLowerCase();
    const invalid = roomIdProblem(room);
    if (invalid) {
      show(invalid);
      return;
    }
    setProblem(null);
    createRoom.mutate(room, {
      onSuccess: (created) => {
        setId('');
        onCreated(created.id);
      },
      onError: (cause) => show(newRoomProblem(cause, room)),
    });
  };

  const idInError = problem?.field === true;
  return (
    // A group (details' role) is named by its summary only when told so.
    <details className="new-room" aria-labelledby={summaryId}>
      <summary id={summaryId}>New room</summary>
      <form onSubmit={onSubmit} className="new-room__form">
        <Field label="Room id">
          {(control) => (
            <input
              {...control}
              ref={input}
              aria-invalid={idInError || undefined}
              aria-describedby={idInError ? errorId : undefined}
              value={id}
              onChange={(event) => setId(event.target.value)}
              placeholder="design-review"
              maxLength={64}
            />
          )}
        </Field>
        {/* An alert too: focus already on the field would not read its description again. */}
        {problem && (
          <p id={errorId} className="form-error" role="alert">
            {problem.message}
          </p>
        )}
        <button className="button" type="submit" disabled={createRoom.isPending}>
          Create
        </button>
      </form>
    </details>
  );
}
