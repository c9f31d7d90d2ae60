import { useId, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_CHAT_TEXT_LENGTH } from '../../../../shared/schemas';
import { useSendMessage } from '../hooks/use-send-message';
import { useTypingPublisher } from '../hooks/use-typing-publisher';
import { useDraftsStore } from '../stores/drafts-store';

export function Composer({ room, roomName }: { room: string; roomName: string }) {
  const draft = useDraftsStore((state) => state.drafts[room] ?? '');
  const setDraft = (text: string) => useDraftsStore.getState().setDraft(room, text);
  const send = useSendMessage(room);
  const typing = useTypingPublisher(room);
  const hintId = useId();

  const submit = () => {
    // Blank lines and trailing spaces go; a first line's indentation (code) stays.
    const text = draft.replace(/^(?:[ \t]*\n)+/, '').trimEnd();
    if (text.trim().length === 0) return;
    typing.stopped(); // before the message, so nobody sees "typing" after it arrived
    send(text);
    setDraft('');
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    submit();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter breaks the line; never while an IME is composing (Safari
    // ends the composition before the Enter that confirms it, flagged only by keyCode 229).
    const composing = event.nativeEvent.isComposing || event.nativeEvent.keyCode === 229;
    if (event.key === 'Enter' && !event.shiftKey && !composing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <label className="visually-hidden" htmlFor={`${hintId}-input`}>
        Message #{roomName}
      </label>
      <textarea
        id={`${hintId}-input`}
        className="composer__input"
        rows={1}
        value={draft}
        maxLength={MAX_CHAT_TEXT_LENGTH}
        placeholder={`Message #${roomName}`}
        aria-describedby={hintId}
        onChange={(event) => {
          setDraft(event.target.value);
          if (event.target.value.length > 0) typing.typing();
          else typing.stopped();
        }}
        onKeyDown={onKeyDown}
      />
      <span id={hintId} className="visually-hidden">
        Enter sends, Shift+Enter adds a line.
      </span>
      <button className="button button--primary" type="submit" disabled={draft.trim().length === 0}>
        Send
      </button>
    </form>
  );
}
