import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { QueryStatus } from '../../../../src/client/features/admin/components/query-status';

const renderStatus = (query: { isPending: boolean; error: Error | null }) =>
  render(<QueryStatus query={query} loading="Loading fruit…" failed="Could not load fruit" />);

describe('QueryStatus', () => {
  it('says it is loading while the request is on the way', () => {
    renderStatus({ isPending: true, error: null });
    expect(screen.getByText('Loading fruit…')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says what failed, and nothing more once loaded', () => {
    const { rerender } = renderStatus({ isPending: false, error: new Error('offline') });
    expect(screen.getByRole('alert')).toHaveTextContent('Could not load fruit: offline');
    expect(screen.queryByText('Loading fruit…')).not.toBeInTheDocument();

    rerender(
      <QueryStatus
        query={{ isPending: false, error: null }}
        loading="Loading fruit…"
        failed="Could not load fruit"
      />,
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByText('Loading fruit…')).not.toBeInTheDocument();
  });
});
