import { useState, type ReactNode } from 'react';
import type { AdminSection } from '../lib/admin-sections';
import { AclChecker } from './acl/acl-checker';
import { AdminTabs, panelId, tabId } from './admin-tabs';
import { AuditView } from './audit/audit-view';
import { HealthView } from './health/health-view';
import { RetainedView } from './retained/retained-view';
import { SessionsView } from './sessions/sessions-view';
import { TokensView } from './tokens/tokens-view';
import { UsersView } from './users/users-view';

export interface AdminConsoleProps {
  /** The signed-in admin: the server refuses changes to one's own account. */
  me: string;
  /** Tests open a section directly; people start at Users. */
  initialSection?: AdminSection;
}

// Loaded with React.lazy from the app shell, for admins only: members never download it.
// The section is the console's own state, not the app's navigation: switching tabs must
// keep focus on the tab (the shell moves focus to <main> on every navigation).
export default function AdminConsole({ me, initialSection = 'users' }: AdminConsoleProps) {
  const [section, setSection] = useState<AdminSection>(initialSection);
  return (
    <section className="admin" aria-labelledby="admin-heading">
      <h2 id="admin-heading" className="view-title">
        Admin
      </h2>
      <AdminTabs current={section} onSelect={setSection} />
      <div
        className="admin__panel"
        role="tabpanel"
        id={panelId(section)}
        aria-labelledby={tabId(section)}
      >
        <SectionView section={section} me={me} />
      </div>
    </section>
  );
}

function SectionView({ section, me }: { section: AdminSection; me: string }): ReactNode {
  switch (section) {
    case 'users':
      return <UsersView me={me} />;
    case 'acl':
      return <AclChecker />;
    case 'tokens':
      return <TokensView />;
    case 'sessions':
      return <SessionsView />;
    case 'retained':
      return <RetainedView />;
    case 'health':
      return <HealthView />;
    case 'audit':
      return <AuditView />;
  }
}
