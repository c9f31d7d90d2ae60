// Plain-text tables for the terminal, and the same rows as Markdown for docs/benchmarks.md.

export type Cell = string | number | null;

export function formatNumber(value: number | null, digits = 0): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function printTable(title: string, header: string[], rows: Cell[][]): void {
  const text = rows.map((row) => row.map((cell) => (cell === null ? '—' : String(cell))));
  const widths = header.map((h, i) =>
    Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of text) console.log(line(row));
  console.log('\nMarkdown:');
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of text) console.log(`| ${row.join(' | ')} |`);
}
