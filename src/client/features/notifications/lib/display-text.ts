import { hasVisibleText } from '../../../../shared/visible-text';

// Whoever sent a notification wrote its title and body. Bidi embeddings and overrides
// (U+202A–U+202E) and isolates (U+2066–U+2069) in them would reorder what follows ("\u202E"
// then "gnp.exe" shows as "exe.png"): they are left out of what is shown, and the text's
// direction is the element's (dir="auto"). The notification keeps them as sent.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** What a title with nothing visible in it is shown as: never an empty heading or name. */
export const UNTITLED = '(untitled)';

export const withoutBidiControls = (text: string): string => text.replace(BIDI_CONTROLS, '');

/** A notification's title as shown, announced and used in names. */
export function displayTitle(title: string): string {
  const shown = withoutBidiControls(title);
  return hasVisibleText(shown) ? shown : UNTITLED;
}

/** A notification's body as shown; empty when nothing in it would show. */
export function displayBody(body: string): string {
  const shown = withoutBidiControls(body);
  return hasVisibleText(shown) ? shown : '';
}
