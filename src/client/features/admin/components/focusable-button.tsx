import type { ComponentProps } from 'react';

type FocusableButtonProps = ComponentProps<'button'> & {
  /** Not to be used now (its request is running, say), yet kept in the tab order. */
  unavailable: boolean;
};

/**
 * A button that can be unavailable for a while without losing focus. A `disabled` button
 * cannot hold focus: the browser moves it to <body> (HTML's focus fixup rule), and a
 * keyboard or screen-reader user is sent back to the top of the page. This one says
 * aria-disabled instead and ignores activation meanwhile, a form's submit included.
 * `disabled` stays for what is never available here (one's own account).
 */
export function FocusableButton({ unavailable, onClick, ...props }: FocusableButtonProps) {
  return (
    <button
      {...props}
      aria-disabled={unavailable || undefined}
      onClick={(event) => {
        if (unavailable) event.preventDefault();
        else onClick?.(event);
      }}
    />
  );
}
