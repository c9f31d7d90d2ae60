// Text from others is drawn as displayText shows it while the page keeps what was written
// (components/shown-text.tsx): `textContent` is what a selection copies, and these read
// what is drawn, which jsdom does not.

/** What `element` draws of its text: each piece shown otherwise, as it is shown. */
export function shownTextOf(element: Element): string {
  let shown = '';
  for (const node of element.childNodes) {
    if (node instanceof Element) {
      shown += node.classList.contains('shown-as')
        ? (node.getAttribute('data-shown') ?? '')
        : shownTextOf(node);
    } else if (node.nodeType === node.TEXT_NODE) {
      shown += node.textContent ?? '';
    }
  }
  return shown;
}

/**
 * What a screen reader reads of `element`'s text: the generated content of each piece
 * shown otherwise (what is drawn), and every text node not hidden from assistive
 * technology (aria-hidden), which jsdom's accessibility queries do not tell apart.
 */
export function readTextOf(element: Element): string {
  if (element.getAttribute('aria-hidden') === 'true') return '';
  let read = element.getAttribute('data-shown') ?? '';
  for (const node of element.childNodes) {
    if (node instanceof Element) read += readTextOf(node);
    else if (node.nodeType === node.TEXT_NODE) read += node.textContent ?? '';
  }
  return read;
}

const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;

/**
 * The bidi controls in `element` that could reorder what is drawn around them: any kept
 * outside a <bdi> (laid out apart, as an inline-block: styles.css). Expected to be none.
 */
export function unisolatedBidiControls(element: Element): string[] {
  const found: string[] = [];
  const walker = element.ownerDocument.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent ?? '';
    if (BIDI_CONTROLS.test(text) && !node.parentElement?.closest('bdi')) found.push(text);
  }
  return found;
}
