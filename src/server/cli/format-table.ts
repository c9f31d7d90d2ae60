/** Rows as aligned columns, two spaces apart, the first row a header. */
export function formatTable(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => row[col]?.length ?? 0)));
  return rows.map((row) =>
    row
      .map((cell, col) => cell.padEnd(widths?.[col] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
