import { hasVisibleText } from '../../../../shared/visible-text';
import { withoutBidiControls } from '../../../lib/display-text';

// Whoever sent a notification wrote its title and body: shown without the bidi controls
// that would reorder what follows (lib/display-text.ts), in the element's direction
// (dir="auto"). The notification keeps them as sent.

/** What a title with nothing visible in it is shown as: never an empty heading or name. */
export const UNTITLED = '(untitled)';

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
