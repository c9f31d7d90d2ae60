import type { Page } from 'playwright-core';

export type Rgb = [number, number, number];

/** An image's pixels, row by row, RGBA. */
export interface Pixels {
  width: number;
  height: number;
  data: number[];
}

/**
 * Screenshots (PNG) as pixels, decoded by a blank page of `page`'s browser: the app's own
 * page would refuse the images by its CSP, and Node has no decoder.
 */
export async function decodePngs(page: Page, pngs: Buffer[]): Promise<Pixels[]> {
  const blank = await page.context().newPage();
  try {
    return await blank.evaluate(
      (images) =>
        Promise.all(
          images.map(async (base64) => {
            const image = new Image();
            image.src = `data:image/png;base64,${base64}`;
            await image.decode();
            const canvas = document.createElement('canvas');
            canvas.width = image.width;
            canvas.height = image.height;
            const context = canvas.getContext('2d')!;
            context.drawImage(image, 0, 0);
            const { data } = context.getImageData(0, 0, image.width, image.height);
            return { width: image.width, height: image.height, data: Array.from(data) };
          }),
        ),
      pngs.map((png) => png.toString('base64')),
    );
  } finally {
    await blank.close();
  }
}

/** The colours down the column of pixels at `x` of what `page` shows, `height` from `top`. */
export async function pixelColumn(
  page: Page,
  x: number,
  top: number,
  height: number,
): Promise<Rgb[]> {
  const png = await page.screenshot({ clip: { x, y: top, width: 1, height }, scale: 'css' });
  const [column] = await decodePngs(page, [png]);
  return Array.from({ length: column!.height }, (_, y) => rgbAt(column!, 0, y));
}

const rgbAt = ({ width, data }: Pixels, x: number, y: number): Rgb => {
  const at = (y * width + x) * 4;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
};

// Colour rounding; far less than text or a bar against its background.
const SAME_COLOUR = 24;
// A glyph's edge placed a fraction of a pixel apart: its antialiased pixels change by up
// to a quarter of the range (a different glyph there changes them by all of it).
const SAME_EDGE = 64;
const alike = (a: Rgb, b: Rgb, tolerance = SAME_COLOUR) =>
  a.every((value, i) => Math.abs(value - b[i]!) <= tolerance);

/** Runs of pixels in `column` unlike `background`, each as [first, last] index. */
export function runsUnlike(column: Rgb[], background: Rgb): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  column.forEach((rgb, y) => {
    if (alike(rgb, background)) return;
    const last = runs.at(-1);
    if (last && last[1] === y - 1) last[1] = y;
    else runs.push([y, y]);
  });
  return runs;
}

/**
 * How many pixels of `a` have none alike in `b` at or next to the same place, and the
 * other way round: the same drawing, its glyphs placed a fraction of a pixel apart (text
 * cut into runs is positioned anew in each), differs in none; a different one (another
 * letter, letters in another order) in many. Images of different sizes differ in all.
 */
export function pixelsApart(a: Pixels, b: Pixels): number {
  if (a.width !== b.width || a.height !== b.height) return a.width * a.height;
  const unmatched = (from: Pixels, to: Pixels) => {
    let count = 0;
    for (let y = 0; y < from.height; y++) {
      for (let x = 0; x < from.width; x++) {
        const rgb = rgbAt(from, x, y);
        let found = false;
        for (let dy = -1; dy <= 1 && !found; dy++) {
          for (let dx = -1; dx <= 1 && !found; dx++) {
            const [nx, ny] = [x + dx, y + dy];
            if (nx < 0 || ny < 0 || nx >= to.width || ny >= to.height) continue;
            found = alike(rgb, rgbAt(to, nx, ny), SAME_EDGE);
          }
        }
        if (!found) count += 1;
      }
    }
    return count;
  };
  return unmatched(a, b) + unmatched(b, a);
}
