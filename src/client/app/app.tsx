import { lazy, Suspense } from 'react';
import { accountOf, useSession } from '../features/auth/api/get-session';
import { SignInPage } from '../features/auth/components/sign-in-page';
import { useFollowOtherTabs } from '../features/auth/hooks/use-follow-other-tabs';
import type { ClientFactory } from '../lib/mqtt/client-types';
import { DocumentTitle, SIGN_IN_TITLE } from './document-title';
import { loadChunk } from './load-chunk';
import { LoadFailureBoundary } from './load-failure-boundary';
import { Splash } from './splash';

// The workspace (mqtt.js, zod, every feature) loads only after sign-in, so the first
// download is the sign-in page alone.
const Workspace = lazy(loadChunk('workspace', () => import('./workspace')));

export function App({ createClient }: { createClient?: ClientFactory }) {
  const session = useSession();
  // A sign-out or sign-in in another tab is this one's too (they share the cookie).
  useFollowOtherTabs();

  if (session.isPending) return <Splash />;
  // A refetch that failed keeps the session it had (the workspace asks again later).
  if (session.isError && !session.data) {
    return (
      <main className="sign-in" id="main">
        <div className="sign-in__card">
          <h1 className="sign-in__title">Switchboard</h1>
          <p role="alert">The server cannot be reached: {session.error.message}</p>
          <button className="button button--primary" onClick={() => void session.refetch()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (!session.data) {
    return (
      <>
        <DocumentTitle title={SIGN_IN_TITLE} />
        <SignInPage />
      </>
    );
  }
  return (
    <LoadFailureBoundary wholePage>
      <Suspense fallback={<Splash label="Opening your workspace…" />}>
        {/* Per account (a user id is unique only within its org): another one, signed in in
            another tab, gets a workspace of its own, with nothing of this one's state. */}
        <Workspace
          key={accountOf(session.data)}
          session={session.data}
          createClient={createClient}
        />
      </Suspense>
    </LoadFailureBoundary>
  );
}
