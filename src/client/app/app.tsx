import { lazy, Suspense } from 'react';
import { useSession } from '../features/auth/api/get-session';
import { SignInPage } from '../features/auth/components/sign-in-page';
import type { ClientFactory } from '../lib/mqtt/client-types';
import { Splash } from './splash';

// The workspace (mqtt.js, zod, every feature) loads only after sign-in, so the first
// download is the sign-in page alone.
const Workspace = lazy(() => import('./workspace'));

export function App({ createClient }: { createClient?: ClientFactory }) {
  const session = useSession();

  if (session.isPending) return <Splash />;
  if (session.isError) {
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
  if (!session.data) return <SignInPage />;
  return (
    <Suspense fallback={<Splash label="Opening your workspace…" />}>
      <Workspace key={session.data.user} session={session.data} createClient={createClient} />
    </Suspense>
  );
}
