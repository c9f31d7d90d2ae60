import {
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import { MAX_CHAT_TEXT_LENGTH } from '../../../../shared/schemas';
import { hasVisibleText } from '../../../../shared/visible-text';
import { useCurrentUser } from '../../auth/hooks/use-current-user';
import { useMentionCandidates } from '../hooks/mention-candidates';
import { useRoomDraft } from '../hooks/use-room-draft';
import { useSendMessage } from '../hooks/use-send-message';
import { useTypingPublisher } from '../hooks/use-typing-publisher';
import { mentionQueryAt, mentionSuggestions } from '../lib/mention-query';

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
  const listId = `${hintId}-mentions`;
  const me = useCurrentUser();
  const input = useRef<HTMLTextAreaElement>(null);
  const movedCaret = useRef<number | null>(null);
  // Where the caret is (null: a selection, or not in the field), which suggestion is
  // active, and the `@` whose suggestions Escape closed.
  const [caret, setCaret] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  // Who may be mentioned is asked for once the field is first used, so suggestions are
  // there at the first `@` (not only once it has been typed).
  const [engaged, setEngaged] = useState(false);
  const query = caret === null ? null : mentionQueryAt(draft, caret);
  const candidates = useMentionCandidates(room, engaged || query !== null);
  const suggestions =
    query && query.start !== dismissed ? mentionSuggestions(candidates, query, me) : [];
  const chosen = Math.min(active, suggestions.length - 1);

  useLayoutEffect(() => {
    if (movedCaret.current === null) return;
    input.current?.setSelectionRange(movedCaret.current, movedCaret.current);
    movedCaret.current = null;
  });
  const noteCaret = ({ selectionStart, selectionEnd }: HTMLTextAreaElement) =>
    setCaret(selectionStart === selectionEnd ? selectionStart : null);

  /** Replaces the `@name` being typed (all of it) with `@user` and puts the caret after. */
  const insert = (user: string) => {
    if (!query || caret === null) return;
    const after = draft.slice(caret).replace(/^[A-Za-z0-9_-]*/, '');
    // A space, unless one or a punctuation mark follows already (`@bob, hi`).
    const before = `${draft.slice(0, query.start)}@${user}${/^[\s.,;:!?)]/.test(after) ? '' : ' '}`;
    setDraft(before + after);
    movedCaret.current = before.length;
    setCaret(before.length);
    typing.typing();
  };

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
    setDismissed(null);
    // Sent with the button, the button is disabled now the draft is empty, and focus would
    // fall to <body>: the next thing to write goes in the field.
    input.current?.focus();
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
    if (suggestions.length > 0 && !composing) {
      // While suggestions show: arrows choose, Enter or Tab inserts, Escape closes them.
      const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
      if (step) setActive((chosen + step + suggestions.length) % suggestions.length);
      else if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey)
        insert(suggestions[chosen]!);
      else if (event.key === 'Escape') setDismissed(query!.start);
      else return;
      event.preventDefault();
      return;
    }
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
        aria-autocomplete="list"
        aria-controls={suggestions.length > 0 ? listId : undefined}
        // By name, not place: a new first suggestion is a new active one to be read out.
        aria-activedescendant={
          suggestions.length > 0 ? `${listId}-${suggestions[chosen]}` : undefined
        }
        ref={input}
        onSelect={(event) => noteCaret(event.currentTarget)}
        onFocus={() => setEngaged(true)}
        onBlur={() => setCaret(null)}
        onChange={(event) => {
          setDraft(event.target.value);
          noteCaret(event.target);
          setActive(0);
          // Escape closed one `@`'s suggestions: another (or none) opens them again.
          const next = mentionQueryAt(event.target.value, event.target.selectionStart);
          if (next?.start !== dismissed) setDismissed(null);
          // Typing announces a message to come: not while nothing would show (nor be sent).
          if (hasVisibleText(event.target.value)) typing.typing();
          else typing.stopped();
        }}
        onKeyDown={onKeyDown}
      />
      {suggestions.length > 0 && (
        <ul
          id={listId}
          role="listbox"
          aria-label="People to mention"
          className="composer__mentions"
        >
          {suggestions.map((user, i) => (
            <li
              key={user}
              id={`${listId}-${user}`}
              role="option"
              aria-selected={i === chosen}
              // Not a click: the field would lose focus (and its caret) first.
              onMouseDown={(event) => {
                event.preventDefault();
                insert(user);
              }}
              onClick={() => insert(user)} // a screen reader's browse mode clicks only
            >
              @{user}
            </li>
          ))}
        </ul>
      )}
      <span id={hintId} className="visually-hidden">
        Enter sends, Shift+Enter adds a line. After @, Up and Down choose someone to mention, Enter
        or Tab inserts them.
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
      {/* How many, as they change; how to choose is in the field's description. */}
      <span className="visually-hidden" aria-live="polite">
        {suggestions.length > 0 &&
          `${suggestions.length} ${suggestions.length === 1 ? 'person' : 'people'} to mention`}
      </span>
      <button className="button button--primary" type="submit" disabled={!sendable}>
        Send
      </button>
    </form>
  );
}
