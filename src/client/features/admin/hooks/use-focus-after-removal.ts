import { useCallback, type RefCallback, type RefObject } from 'react';

// What a row's cell can hold that takes focus; the same position in another row is the
// same control (Revoke, Delete, Disconnect…).
const CONTROLS = 'a[href], button, input, select, textarea, summary';

/** Where focus was: the control, and its place in its table (when in one). */
interface Place {
  control: HTMLElement;
  row: { body: HTMLTableSectionElement; index: number; cell: number; control: number } | null;
}

/**
 * A ref for a list's container that keeps focus in it when what held it goes: a revoked
 * token's row, a deleted user's, a cleared message's panel. A browser then leaves focus on
 * <body>, and a keyboard or screen-reader user at the top of the page. Instead focus moves
 * to the same control in the row that took the gone row's place, else in the nearest row
 * before it (skipping rows where that control is disabled), else to `fallback` (the
 * section's heading, with tabIndex -1). What the action came to is for the view's live
 * region to say; this only keeps the user's place.
 */
export function useFocusAfterRemoval(
  fallback: RefObject<HTMLElement | null>,
): RefCallback<HTMLElement> {
  return useCallback(
    (root: HTMLElement | null) => {
      if (!root) return undefined;
      let last: Place | null = null;

      const onFocusIn = (event: FocusEvent) => {
        if (event.target instanceof HTMLElement) last = placeOf(event.target);
      };
      // Focus moved away on purpose (elsewhere, or to nothing by a click on the page): not
      // ours to bring back. A removed control is no longer connected by the time this runs.
      const onFocusOut = (event: FocusEvent) => {
        const left = event.target;
        queueMicrotask(() => {
          if (last?.control === left && left instanceof HTMLElement && left.isConnected)
            last = null;
        });
      };
      // After React's commit, whichever component's render removed the control.
      const observer = new MutationObserver(() => {
        if (!last) return;
        if (last.control.isConnected) {
          last = placeOf(last.control); // rows come and go around it (a refetch)
          return;
        }
        const { row } = last;
        last = null;
        if (focusIsLost()) ((row && replacementIn(row)) ?? fallback.current)?.focus();
      });

      root.addEventListener('focusin', onFocusIn);
      root.addEventListener('focusout', onFocusOut);
      observer.observe(root, { childList: true, subtree: true });
      return () => {
        root.removeEventListener('focusin', onFocusIn);
        root.removeEventListener('focusout', onFocusOut);
        observer.disconnect();
      };
    },
    [fallback],
  );
}

const focusIsLost = () =>
  document.activeElement === null || document.activeElement === document.body;

function placeOf(control: HTMLElement): Place {
  const cell = control.closest('td, th');
  const row = cell?.parentElement;
  const body = row?.parentElement;
  if (
    !(cell instanceof HTMLTableCellElement) ||
    !(row instanceof HTMLTableRowElement) ||
    !(body instanceof HTMLTableSectionElement) ||
    body.tagName !== 'TBODY'
  )
    return { control, row: null };
  return {
    control,
    row: {
      body,
      index: row.sectionRowIndex,
      cell: cell.cellIndex,
      control: [...cell.querySelectorAll(CONTROLS)].indexOf(control),
    },
  };
}

/** The same control in the row now at the gone row's index, or after it, else before it. */
function replacementIn(place: NonNullable<Place['row']>): HTMLElement | null {
  if (!place.body.isConnected) return null; // the table gave way to "nothing left"
  const rows = [...place.body.rows];
  const nearest = [...rows.slice(place.index), ...rows.slice(0, place.index).reverse()];
  for (const row of nearest) {
    const cell = row.cells[place.cell];
    const control = cell?.querySelectorAll<HTMLElement>(CONTROLS)[place.control];
    if (control && !control.matches(':disabled')) return control;
  }
  return null;
}
