/**
 * SVG polyline points for the values, newest at the right edge, on a scale from 0 to the
 * largest value (every series here counts something, so 0 is a meaningful floor). The x
 * step is fixed by `slots`, so the line grows in from the right as samples arrive instead
 * of stretching.
 */
export function sparklinePoints(
  values: readonly number[],
  width: number,
  height: number,
  slots: number,
): string {
  if (values.length === 0) return '';
  const max = Math.max(...values);
  const step = slots > 1 ? width / (slots - 1) : 0;
  const last = values.length - 1;
  return values
    .map((value, i) => {
      const x = width - (last - i) * step;
      // A flat zero line sits on the bottom edge; the top is the series' own maximum.
      const y = max > 0 ? height - (value / max) * height : height;
      return `${round(x)},${round(y)}`;
    })
    .join(' ');
}

const round = (n: number) => Math.round(n * 10) / 10;
