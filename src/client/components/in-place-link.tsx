import type { ComponentPropsWithRef, MouseEvent } from 'react';

/**
 * Whether a click on a link is one the browser would follow in this tab: the main button,
 * no modifier (Ctrl, ⌘ and the middle button open a new tab, Shift a new window, Alt saves),
 * and not already taken by a handler before.
 */
export function isPlainClick(event: MouseEvent): boolean {
  return (
    event.button === 0 &&
    !event.defaultPrevented &&
    !event.ctrlKey &&
    !event.metaKey &&
    !event.shiftKey &&
    !event.altKey
  );
}

interface InPlaceLinkProps extends Omit<ComponentPropsWithRef<'a'>, 'onClick'> {
  /** The address of what `onFollow` shows: hover, a new tab and "copy link" use it. */
  href: string;
  /** Shows it in this tab, as the app's own navigation does. */
  onFollow(): void;
}

/**
 * A link to a view of the app. A plain click (or Enter) is the app's navigation, which keeps
 * the history as the app writes it; any other is the browser's, to open the address elsewhere.
 */
export function InPlaceLink({ onFollow, ...props }: InPlaceLinkProps) {
  return (
    <a
      {...props}
      onClick={(event) => {
        if (!isPlainClick(event)) return;
        event.preventDefault();
        onFollow();
      }}
    />
  );
}
