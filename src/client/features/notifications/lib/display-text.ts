import { hasVisibleText } from '../../../../shared/visible-text';
import { displayText } from '../../../lib/display-text';

// Whoever sent a notification wrote its title and body: shown as lib/display-text.ts shows
// other people's text (no bidi controls, invisible characters made visible, no towers of
// marks), in the element's direction (dir="auto"). The notification keeps them as sent.

/** What a title with nothing visible in it is shown as: never an empty heading or name. */
export const UNTITLED = '(untitled)';

/** A notification's title as shown, announced and used in names. */
export function displayTitle(title: string): string {
  // Asked of the title as sent: zero-width spaces alone are no title, not a row of dots.
  return hasVisibleText(title) ? displayText(title) : UNTITLED;
}

/** A notification's body as shown; empty when nothing in it would show. */
export function displayBody(body: string): string {
  return hasVisibleText(body) ? displayText(body) : '';
}
