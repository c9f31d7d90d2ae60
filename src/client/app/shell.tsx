import { useEffect, useRef, useState } from 'react';
import { InPlaceLink } from '../components/in-place-link';
import { AgentBoard } from '../features/agent-board/components/agent-board';
import { AgentDetail } from '../features/agent-board/components/agent-detail';
import { useSignOutRequest } from '../features/auth/api/delete-session';
import type { Session } from '../features/auth/api/get-session';
import { RoomList } from '../features/chat/components/room-list';
import { UndeliveredNotice } from '../features/chat/components/undelivered-notice';
import { StatusPill } from '../features/connection/components/status-pill';
import { NotificationsLink } from '../features/notifications/components/notifications-link';
import { NewNotificationAnnouncer } from '../features/notifications/components/new-notification-announcer';
import { NotificationsPanel } from '../features/notifications/components/notifications-panel';
import { PeopleList } from '../features/presence/components/people-list';
import { useConnection } from '../lib/mqtt/connection-context';
import { AdminView } from './admin-view';
import { countNotDelivered } from './count-not-delivered';
import { HomeView } from './home-view';
import { NotFoundView } from './not-found-view';
import { useNavigationStore, type HistoryMode, type View } from './navigation-store';
import { resetWorkspaceStores } from './reset-stores';
import { RoomScreen } from './room-screen';
import { SignOutButton } from './sign-out-button';
import { useWarnBeforeUnloadWithUnsent } from './use-warn-before-unload';
import { hashOf } from './view-hash';
import { WorkspaceTitle } from './workspace-title';

export function Shell({ session }: { session: Session }) {
  const view = useNavigationStore((state) => state.view);
  const navigate = useNavigationStore((state) => state.navigate);
  const connection = useConnection();
  // Closing the tab would lose what is unsent: sessionStorage outlives a reload, not that.
  useWarnBeforeUnloadWithUnsent(connection.outbox);
  const signOutRequest = useSignOutRequest();
  // The small-screen menu covers the view it was opened over: any change of view (a click,
  // Back, a link) closes it in the same render, so focus can then move to <main>.
  const [menuOpenOver, setMenuOpenOver] = useState<View | null>(null);
  const menuOpen = menuOpenOver === view;
  const [signingOut, setSigningOut] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  const menuToggleRef = useRef<HTMLButtonElement>(null);
  const shownView = useRef<View | null>(null);
  // The server refuses /api/admin to anyone else; the entry is hidden so members are not
  // offered a console that would only answer 403 (nor download its code).
  const isAdmin = session.role === 'admin';

  // Keyboard and screen-reader users land on the new view, not back at the menu. Another
  // admin section is not another view: focus stays on its tab.
  useEffect(() => {
    const previous = shownView.current;
    shownView.current = view;
    if (previous === null || (previous.name === 'admin' && view.name === 'admin')) return;
    mainRef.current?.focus();
  }, [view]);

  // Escape closes the open menu from wherever focus is (it covers the view: there is
  // nothing else to leave), and focus goes back to its toggle, as for a disclosure.
  useEffect(() => {
    if (!menuOpen) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      setMenuOpenOver(null);
      menuToggleRef.current?.focus();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [menuOpen]);

  const go = (next: View, historyMode?: HistoryMode) => {
    navigate(next, historyMode);
    setMenuOpenOver(null);
  };

  const signOut = async () => {
    setSigningOut(true);
    await connection.signOut(); // presence goes offline before the session ends
    resetWorkspaceStores(); // the drafts kept in this tab with the rest
    signOutRequest.mutate();
  };

  return (
    <div className={menuOpen ? 'shell shell--menu-open' : 'shell'}>
      {/* A room's comes with it (RoomScreen): it says whether there is such a room. */}
      {view.name !== 'room' && <WorkspaceTitle view={view} />}
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          // `#main` in the address bar would name no view (see view-hash.ts).
          event.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <button
          ref={menuToggleRef}
          className="icon-button menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpenOver(menuOpen ? null : view)}
        >
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">Menu</span>
        </button>
        <h1 className="brand">Switchboard</h1>
        <StatusPill />
        <div className="topbar__end">
          <NotificationsLink
            href={hashOf({ name: 'notifications' })}
            current={view.name === 'notifications'}
            onOpen={() => go({ name: 'notifications' })}
          />
          <NewNotificationAnnouncer />
          <span className="topbar__me" title={`${session.user}@${session.org}`}>
            {session.user}
          </span>
          <SignOutButton
            signingOut={signingOut}
            countUnsent={() => connection.outbox.list().length}
            countNotDelivered={() => countNotDelivered(connection.outbox)}
            onSignOut={() => void signOut()}
          />
        </div>
      </header>
      <nav id="sidebar" className="sidebar" aria-label="Workspace">
        <RoomList
          activeRoom={view.name === 'room' ? view.room : null}
          roomHref={(room) => hashOf({ name: 'room', room })}
          onOpenRoom={(room) => go({ name: 'room', room })}
        />
        <section className="nav-section" aria-labelledby="more-heading">
          {/* Not "Workspace", the name of the navigation it is in. */}
          <h2 id="more-heading" className="nav-section__title">
            Pages
          </h2>
          <ul className="nav-list">
            <NavItem
              label="Agents"
              current={view.name === 'agents' || view.name === 'agent'}
              to={{ name: 'agents' }}
              go={go}
            />
            <NavItem
              label="People"
              current={view.name === 'people'}
              to={{ name: 'people' }}
              go={go}
            />
            <NavItem
              label="Notifications"
              current={view.name === 'notifications'}
              to={{ name: 'notifications' }}
              go={go}
            />
            {isAdmin && (
              <NavItem
                label="Admin"
                current={view.name === 'admin'}
                // In the console already: its section stays, and no entry is added
                // that Back would seem to skip.
                to={view.name === 'admin' ? view : { name: 'admin' }}
                go={go}
              />
            )}
          </ul>
        </section>
      </nav>
      {/* Nothing more to send while signing out: the outbox is about to be cleared. */}
      <main id="main" className="main" ref={mainRef} tabIndex={-1} inert={signingOut}>
        {/* Above every view: what it lists can be reached from nowhere else. */}
        <UndeliveredNotice onEmptied={() => mainRef.current?.focus()} />
        <CurrentView view={view} go={go} me={session.user} isAdmin={isAdmin} />
      </main>
    </div>
  );
}

interface NavItemProps {
  label: string;
  current: boolean;
  to: View;
  go(view: View): void;
}

function NavItem({ label, current, to, go }: NavItemProps) {
  return (
    <li>
      <InPlaceLink
        className="nav-item"
        href={hashOf(to)}
        aria-current={current ? 'page' : undefined}
        onFollow={() => go(to)}
      >
        <span className="nav-item__label">{label}</span>
      </InPlaceLink>
    </li>
  );
}

interface CurrentViewProps {
  view: View;
  go(view: View, historyMode?: HistoryMode): void;
  me: string;
  isAdmin: boolean;
}

function CurrentView({ view, go, me, isAdmin }: CurrentViewProps) {
  switch (view.name) {
    case 'home':
      return <HomeView onOpenRoom={(room) => go({ name: 'room', room })} />;
    case 'room':
      return <RoomScreen key={view.room} room={view.room} onLeave={() => go({ name: 'home' })} />;
    case 'people':
      return <PeopleList />;
    case 'agents':
      return (
        <AgentBoard
          agentHref={(agent) => hashOf({ name: 'agent', agent })}
          onOpenAgent={(agent) => go({ name: 'agent', agent })}
        />
      );
    case 'agent':
      // Keyed: another agent (an edited address, a link) is another page. Its command log is
      // no news, and nothing waiting to be said of the one left is said there.
      // Back to the board is like Back when one came from it: Back afterwards leaves the
      // board, not the agent.
      return (
        <AgentDetail
          key={view.agent}
          agent={view.agent}
          boardHref={hashOf({ name: 'agents' })}
          onBack={() => go({ name: 'agents' }, 'back')}
        />
      );
    case 'notifications':
      return <NotificationsPanel isAdmin={isAdmin} />;
    case 'not-found':
      return (
        <NotFoundView
          hash={view.hash}
          onOpenRoom={(room) => go({ name: 'room', room })}
          onHome={() => go({ name: 'home' })}
        />
      );
    case 'admin':
      if (!isAdmin) return <HomeView onOpenRoom={(room) => go({ name: 'room', room })} />;
      return (
        <AdminView
          me={me}
          section={view.section}
          // Tabs, not views: switching them makes no history entry of its own.
          onSelectSection={(section) => go({ name: 'admin', section }, 'replace')}
        />
      );
  }
}
