import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { useState } from 'react';
import AdminConsole from '../../../../../src/client/features/admin/components/admin-console';
import type { AdminSection } from '../../../../../src/client/features/admin/lib/admin-sections';
import { createTestQueryClient } from '../../../support/render';

/** The console on one section, as the admin `me`, with a fresh query cache. */
export function renderConsole(section: AdminSection, me = 'admin') {
  const queryClient = createTestQueryClient();
  const result = render(
    <QueryClientProvider client={queryClient}>
      <ConsoleOn section={section} me={me} />
    </QueryClientProvider>,
  );
  return { ...result, queryClient };
}

/** The shell's part: the section it holds (in the address, there) follows the tabs. */
function ConsoleOn({ section: initial, me }: { section: AdminSection; me: string }) {
  const [section, setSection] = useState<AdminSection>(initial);
  return <AdminConsole me={me} section={section} onSelectSection={setSection} />;
}
