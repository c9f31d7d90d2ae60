import { describe, expect, it, vi } from 'vitest';
import type * as ExternalChangesModule from '../../src/server/external-changes';
import type * as HttpModule from '../../src/server/http';
import { eventually } from './support/eventually';
import { startTestServer } from './support/test-server';

// The server listens only once it has caught up with what changed while it was down
// (app.ts awaits `ready`, external-changes.ts): a device of a user removed and created
// again, reconnecting at once, could otherwise resume the old user's session. Here the
// catch-up is held, as a slow broker store would hold it.

const seen = vi.hoisted(() => {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  return { release, released, built: false, listened: false };
});

vi.mock('../../src/server/external-changes', async (importOriginal) => {
  const real = await importOriginal<typeof ExternalChangesModule>();
  return {
    ...real,
    followExternalChanges: (...args: Parameters<typeof real.followExternalChanges>) => {
      const changes = real.followExternalChanges(...args);
      return { ...changes, ready: changes.ready.then(() => seen.released) };
    },
  };
});

vi.mock('../../src/server/http', async (importOriginal) => {
  const real = await importOriginal<typeof HttpModule>();
  return {
    ...real,
    buildHttpApi: async (...args: Parameters<typeof real.buildHttpApi>) => {
      const app = await real.buildHttpApi(...args);
      const listen = app.listen.bind(app);
      // Each overload of listen is passed on as it came.
      vi.spyOn(app, 'listen').mockImplementation(((...listenArgs: Parameters<typeof listen>) => {
        seen.listened = true;
        return listen(...listenArgs);
      }) as never);
      seen.built = true;
      return app;
    },
  };
});

describe('the server’s start', () => {
  it('listens only once what changed while it was down is caught up with', async () => {
    const starting = startTestServer();
    // Built meanwhile; from there to listening, nothing else is awaited.
    await eventually(() => seen.built, 10_000, 'HTTP API built');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.listened).toBe(false);
    seen.release();
    const server = await starting;
    try {
      expect(seen.listened).toBe(true);
    } finally {
      await server.cleanup();
    }
  });
});
