import type { ReactNode } from 'react';

export interface AdminColumn<T> {
  header: string;
  cell(row: T): ReactNode;
}

interface AdminTableProps<T> {
  /** Names the table for screen readers (shown only to them: the section heading is visible). */
  caption: string;
  columns: readonly AdminColumn<T>[];
  rows: readonly T[];
  rowKey(row: T): string;
  /** Said instead of an empty table; without it an empty table shows. */
  empty?: string;
}

/** The console's tables: one row per item, its first column naming the row. */
export function AdminTable<T>({ caption, columns, rows, rowKey, empty }: AdminTableProps<T>) {
  if (rows.length === 0 && empty !== undefined) return <p className="muted">{empty}</p>;
  return (
    <AdminTableFrame caption={caption} columns={columns}>
      {rows.map((row) => (
        <AdminRow key={rowKey(row)} columns={columns} row={row} />
      ))}
    </AdminTableFrame>
  );
}

/** Caption and header row around rows a caller renders itself (rows holding their own state). */
export function AdminTableFrame({
  caption,
  columns,
  children,
}: {
  caption: string;
  columns: readonly { header: string }[];
  children: ReactNode;
}) {
  return (
    <table className="admin-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map(({ header }) => (
            <th key={header} scope="col">
              {header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

// data-label repeats the header: narrow screens lay a row out as a card and show it there.
export function AdminRow<T>({
  columns,
  row,
  className,
}: {
  columns: readonly AdminColumn<T>[];
  row: T;
  className?: string;
}) {
  return (
    <tr className={className}>
      {columns.map(({ header, cell }, index) =>
        index === 0 ? (
          <th key={header} scope="row" data-label={header}>
            {cell(row)}
          </th>
        ) : (
          <td key={header} data-label={header}>
            {cell(row)}
          </td>
        ),
      )}
    </tr>
  );
}
