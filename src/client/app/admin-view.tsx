import { lazy, Suspense } from 'react';
import type { AdminConsoleProps } from '../features/admin/components/admin-console';
import { loadChunk } from './load-chunk';
import { LoadFailureBoundary } from './load-failure-boundary';
import { Splash } from './splash';

// A chunk of its own, fetched the first time an admin opens the console: members never
// download it (test/client/features/admin/admin-bundle.test.ts keeps it out of the
// workspace's static imports).
const AdminConsole = lazy(
  loadChunk('admin-console', () => import('../features/admin/components/admin-console')),
);

export function AdminView(props: AdminConsoleProps) {
  // Inside the shell: a console that cannot load leaves the rest of the workspace working.
  return (
    <LoadFailureBoundary>
      <Suspense fallback={<Splash label="Opening the admin console…" />}>
        <AdminConsole {...props} />
      </Suspense>
    </LoadFailureBoundary>
  );
}
