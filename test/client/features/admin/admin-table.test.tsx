import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import {
  AdminRow,
  AdminTable,
  AdminTableFrame,
  type AdminColumn,
} from '../../../../src/client/features/admin/components/admin-table';

interface Fruit {
  id: string;
  name: string;
  count: number;
}

const COLUMNS: readonly AdminColumn<Fruit>[] = [
  { header: 'Name', cell: (fruit) => <code>{fruit.name}</code> },
  { header: 'Count', cell: (fruit) => fruit.count },
  {
    header: 'Actions',
    cell: (fruit) => <button type="button">{`Eat ${fruit.name}`}</button>,
  },
];

const FRUITS: Fruit[] = [
  { id: 'a', name: 'apple', count: 3 },
  { id: 'b', name: 'banana', count: 0 },
];

describe('AdminTable', () => {
  it('is named by its caption, heads each column, and heads each row with its first cell', () => {
    render(<AdminTable caption="Fruit" columns={COLUMNS} rows={FRUITS} rowKey={(f) => f.id} />);
    const table = screen.getByRole('table', { name: 'Fruit' });

    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((th) => th.textContent),
    ).toEqual(['Name', 'Count', 'Actions']);
    expect(
      within(table)
        .getAllByRole('rowheader')
        .map((th) => th.textContent),
    ).toEqual(['apple', 'banana']);

    const banana = within(within(table).getAllByRole('row')[2] ?? table);
    expect(banana.getByRole('rowheader')).toHaveAttribute('data-label', 'Name');
    expect(banana.getByRole('cell', { name: '0' })).toHaveAttribute('data-label', 'Count');
    expect(banana.getByRole('button', { name: 'Eat banana' }).closest('td')).toHaveAttribute(
      'data-label',
      'Actions',
    );
  });

  it('says the empty text instead of an empty table', () => {
    render(
      <AdminTable
        caption="Fruit"
        columns={COLUMNS}
        rows={[]}
        rowKey={(f) => f.id}
        empty="No fruit."
      />,
    );
    expect(screen.getByText('No fruit.')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows an empty table when given no empty text', () => {
    render(<AdminTable caption="Fruit" columns={COLUMNS} rows={[]} rowKey={(f) => f.id} />);
    const table = screen.getByRole('table', { name: 'Fruit' });
    expect(within(table).getAllByRole('row')).toHaveLength(1); // the header row
  });
});

describe('AdminTableFrame with AdminRow', () => {
  it('lays out rows a caller renders itself like AdminTable’s, with the row’s class', () => {
    render(
      <AdminTableFrame caption="Fruit" columns={COLUMNS}>
        {FRUITS.map((fruit) => (
          <AdminRow
            key={fruit.id}
            columns={COLUMNS}
            row={fruit}
            className={fruit.count === 0 ? 'admin-table__row--muted' : undefined}
          />
        ))}
      </AdminTableFrame>,
    );
    const table = screen.getByRole('table', { name: 'Fruit' });
    const [, apple, banana] = within(table).getAllByRole('row');
    expect(apple).not.toHaveClass('admin-table__row--muted');
    expect(banana).toHaveClass('admin-table__row--muted');
    expect(within(table).getByRole('rowheader', { name: 'banana' })).toBeInTheDocument();
  });
});
