import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import AdminConsole from '../../../../../src/client/features/admin/components/admin-console';
import type { AdminSection } from '../../../../../src/client/features/admin/lib/admin-sections';
import { createTestQueryClient } from '../../../support/render';

/** The console on one section, as the admin `me`, with a fresh query cache. */
export function renderConsole(section: AdminSection, me = 'admin') {
  const queryClient = createTestQueryClient();
  const result = render(
    <QueryClientProvider client={queryClient}>
      <AdminConsole me={me} initialSection={section} />
    </QueryClientProvider>,
  );
  return { ...result, queryClient };
}
