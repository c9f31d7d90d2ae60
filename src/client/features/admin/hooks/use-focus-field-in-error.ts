import { useEffect, type RefObject } from 'react';

/**
 * When a request's `error` arrives, moves focus to the first field of `form` marked
 * invalid: the server refused what was typed there, and the field, described by its error,
 * is where to fix it. With no such field focus stays put (on the submit button: see
 * FocusableButton), and the error's alert is read out.
 */
export function useFocusFieldInError(
  form: RefObject<HTMLFormElement | null>,
  error: Error | null,
): void {
  useEffect(() => {
    if (error) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [form, error]);
}
