import { useEffect, useState } from 'react';

// Rows are sized in rem, so that they grow with the text size set in the browser (a fixed
// 76 px row held 24 px text too); the virtualizer is given the same height in px.
const ROW_HEIGHT_REM = 4.75; // one line, or two on a phone: 76 px at 16 px text
const STACKED_ROW_HEIGHT_REM = 6; // three lines: name / status and age / task and progress
// Narrower than this, in ems of the browser's text size (336 px at 16 px text, 504 px at
// 24 px), the name gets a line of its own: beside the status and the age it was cut to
// "agent…", one agent not told from another.
const STACKED_MEDIA = '(max-width: 21em)';
const FALLBACK_FONT_SIZE_PX = 16; // where there is no layout to ask (jsdom)

export interface RowLayout {
  /** The name on a line of its own (the list's `agents__list--stacked` class). */
  stacked: boolean;
  heightPx: number;
}

function currentLayout(): RowLayout {
  const stacked = window.matchMedia?.(STACKED_MEDIA).matches ?? false;
  const rootPx =
    Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || FALLBACK_FONT_SIZE_PX;
  return { stacked, heightPx: (stacked ? STACKED_ROW_HEIGHT_REM : ROW_HEIGHT_REM) * rootPx };
}

/** How the agents board lays out a row, and how high it is; kept as the window changes. */
export function useRowLayout(): RowLayout {
  const [layout, setLayout] = useState(currentLayout);
  useEffect(() => {
    const update = () =>
      setLayout((shown) => {
        const next = currentLayout();
        return next.stacked === shown.stacked && next.heightPx === shown.heightPx ? shown : next;
      });
    // An em query also changes as the browser's text size does, which no resize says.
    const query = window.matchMedia?.(STACKED_MEDIA);
    query?.addEventListener('change', update);
    window.addEventListener('resize', update);
    return () => {
      query?.removeEventListener('change', update);
      window.removeEventListener('resize', update);
    };
  }, []);
  return layout;
}
