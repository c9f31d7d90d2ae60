import { useId, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_CHAT_TEXT_LENGTH } from '../../../../shared/schemas';
import { hasVisibleText } from '../../../../shared/visible-text';
import { useRoomDraft } from '../hooks/use-room-draft';
import { useSendMessage } from '../hooks/use-send-message';
import { useTypingPublisher } from '../hooks/use-typing-publisher';

const COUNT_SHOWN_FROM = 0.9; // of the limit
const countFormat = new Intl.NumberFormat();

interface ComposerProps {
  room: string;
  roomName: string;
  /** After each message sent from here. */
  onSent?(): void;
}

export function Composer({ room, roomName, onSent }: ComposerProps) {
  const [draft, setDraft] = useRoomDraft(room);
  const send = useSendMessage(room);
  const typing = useTypingPublisher(room);
  const hintId = useId();

  // Blank lines and trailing spaces go; a first line's indentation (code) stays.
  const text = draft.replace(/^(?:[ \t]*\n)+/, '').trimEnd();
  const tooLong = text.length > MAX_CHAT_TEXT_LENGTH;
  // Zero-width and other invisible characters alone would send an empty-looking message.
  const sendable = hasVisibleText(text) && !tooLong;

  const submit = () => {
    if (!sendable) return;
    typing.stopped(); // before the message, so nobody sees "typing" after it arrived
    send(text);
    setDraft('');
    onSent?.();
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
        dir="auto" // right-to-left as soon as the draft starts in such a script
        value={draft}
        placeholder={`Message #${roomName}`}
        aria-describedby={`${hintId} ${hintId}-count`}
        aria-invalid={tooLong || undefined}
        onChange={(event) => {
          setDraft(event.target.value);
          // Typing announces a message to come: not while nothing would show (nor be sent).
          if (hasVisibleText(event.target.value)) typing.typing();
          else typing.stopped();
        }}
        onKeyDown={onKeyDown}
      />
      <span id={hintId} className="visually-hidden">
        Enter sends, Shift+Enter adds a line.
      </span>
      {/* A paste over the limit is kept whole and said so, not cut silently. */}
      <span
        id={`${hintId}-count`}
        className={tooLong ? 'composer__count composer__count--over' : 'composer__count'}
      >
        {text.length > MAX_CHAT_TEXT_LENGTH * COUNT_SHOWN_FROM &&
          `${countFormat.format(text.length)} / ${countFormat.format(MAX_CHAT_TEXT_LENGTH)}${tooLong ? ': too long to send' : ''}`}
      </span>
      {/* Announced once on crossing the limit, not on every keystroke near it. */}
      <span className="visually-hidden" aria-live="polite">
        {tooLong ? 'Too long to send' : ''}
      </span>
      <button className="button button--primary" type="submit" disabled={!sendable}>
        Send
      </button>
    </form>
  );
}
