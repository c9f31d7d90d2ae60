import { Component, useEffect, useRef, type ReactNode } from 'react';
import { ChunkLoadError } from './load-chunk';
import { reloadPage } from './reload-page';

interface LoadFailureBoundaryProps {
  children: ReactNode;
  /** The whole page (a card of its own), or a view inside the shell. */
  wholePage?: boolean;
}

type Failure = 'none' | 'updated' | 'other';

/**
 * Around what is loaded lazily: a chunk that cannot be fetched (or a view that throws)
 * shows what happened and a way on, where React would unmount everything to a blank page.
 */
export class LoadFailureBoundary extends Component<LoadFailureBoundaryProps, { failure: Failure }> {
  override state: { failure: Failure } = { failure: 'none' };

  static getDerivedStateFromError(error: unknown): { failure: Failure } {
    return { failure: error instanceof ChunkLoadError ? 'updated' : 'other' };
  }

  override render() {
    const { failure } = this.state;
    if (failure === 'none') return this.props.children;
    const notice = <LoadFailure updated={failure === 'updated'} />;
    return this.props.wholePage ? (
      <main className="sign-in" id="main">
        <div className="sign-in__card">
          <h1 className="sign-in__title">Switchboard</h1>
          {notice}
        </div>
      </main>
    ) : (
      notice
    );
  }
}

function LoadFailure({ updated }: { updated: boolean }) {
  const reload = useRef<HTMLButtonElement>(null);
  // What was focused went with the tree that failed; the one thing to do next is here.
  useEffect(() => reload.current?.focus(), []);
  return (
    <div className="load-failure">
      <p role="alert">
        {updated
          ? 'Switchboard was updated; reload to continue.'
          : 'Something went wrong while showing this page; reload to try again.'}
      </p>
      <button ref={reload} className="button button--primary" onClick={reloadPage}>
        Reload
      </button>
    </div>
  );
}
