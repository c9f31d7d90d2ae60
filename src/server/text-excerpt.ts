const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * At most `length` UTF-16 units of `text` from about `from`, cut between characters as they
 * are seen (a family emoji is one, of 11 units), with an ellipsis where something was left
 * out at either end.
 */
export function excerpt(text: string, from: number, length: number): string {
  if (from === 0 && text.length <= length) return text;
  let start = -1;
  let end = 0;
  const room = length - (from > 0 ? 2 : 1); // the ellipses
  for (const { index, segment } of graphemes.segment(text)) {
    if (start < 0) {
      if (index < from) continue;
      start = index;
    }
    if (index + segment.length - start > room) break;
    end = index + segment.length;
  }
  if (start < 0) start = end = text.length;
  const head = start > 0 ? '…' : '';
  const tail = end < text.length ? '…' : '';
  return `${head}${text.slice(start, end)}${tail}`;
}
