import { useEffect, type ReactNode } from 'react';
import { ADMIN_SECTIONS, type AdminSection } from '../lib/admin-sections';
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
  /**
   * The section in the address (`#/admin/audit`), so a reload or a link opens it; none, or
   * one the console does not have, opens the first.
   */
  section: string | undefined;
  /** In place, not a new entry: also how the console puts its section in the address. */
  onSelectSection(section: AdminSection): void;
}

// Loaded with React.lazy from the app shell, for admins only: members never download it
// (nor, so, the list of sections: the shell passes on whatever the address said).
export default function AdminConsole({ me, section: named, onSelectSection }: AdminConsoleProps) {
  const section = ADMIN_SECTIONS.find((s) => s.id === named)?.id ?? 'users';
  // The address names the section shown: `#/admin`, or a section there is not, becomes the
  // first section's own address, so a reload or a copied link says what it shows.
  useEffect(() => {
    if (named !== section) onSelectSection(section);
  }, [named, section, onSelectSection]);
  return (
    <section className="admin" aria-labelledby="admin-heading">
      <h2 id="admin-heading" className="view-title">
        Admin
      </h2>
      <AdminTabs current={section} onSelect={onSelectSection} />
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
      return <TokensView me={me} />;
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
