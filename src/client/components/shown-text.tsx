import { Fragment } from 'react';
import { displayPieces, type ShownPiece } from '../lib/display-text';

// Text from other people and agents is shown as displayText shows it (lib/display-text.ts),
// yet copying it must give what was written: a message with a zero-width space in it,
// copied, is pasted with the zero-width space, not a dot. So each piece shown otherwise
// keeps what was written in the page, in a <bdi> drawn at no size (styles.css,
// `.shown-as`), and what is shown is drawn over it from `data-shown`, as generated content,
// which a browser never copies. A selection of any part of the text, or across several
// messages, is then copied by the browser itself, as written. <bdi> is an isolate, and
// drawn as an inline-block it is laid out apart: no bidi control kept in it reorders
// anything outside it, not even an isolate it opens and never closes (which would close
// the <bdi>'s own in its place, leaving that one open over the rest of the text). Rejected:
// a `copy` handler mapping the selection back, which would have to write the whole
// selection itself (sender, time, the lines between messages) as the browser does.
//
// Screen readers read what is drawn, generated content included, and not what was written
// under it (aria-hidden): else the zero-width space after its dot, and the marks past the
// cap, would be said or brailled too.

/** `pieces` (displayPieces), drawn as shown, copied as written. */
export function ShownPieces({ pieces }: { pieces: readonly ShownPiece[] }) {
  return pieces.map((piece, i) =>
    piece.shown === piece.text ? (
      <Fragment key={i}>{piece.text}</Fragment>
    ) : (
      <span key={i} className="shown-as" data-shown={piece.shown}>
        <bdi className="shown-as__written" aria-hidden="true">
          {piece.text}
        </bdi>
      </span>
    ),
  );
}

/** `text` drawn as displayText shows it, copied as written. */
export function ShownText({ text }: { text: string }) {
  return <ShownPieces pieces={displayPieces(text)} />;
}
