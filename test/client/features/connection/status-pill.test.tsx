import { act, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { StatusPill } from '../../../../src/client/features/connection/components/status-pill';
import { useConnectionStore } from '../../../../src/client/features/connection/stores/connection-store';
import { Connection } from '../../../../src/client/lib/mqtt/connection';
import { Outbox } from '../../../../src/client/lib/mqtt/outbox';
import { FakeMqttFactory } from '../../support/fake-mqtt';
import { tokenFor } from '../../support/fixtures';

const OFFLINE = 'Offline — messages will be sent when you’re back';

/** The pill over a connection listening to the browser's own online and offline events. */
async function connectedPill() {
  const factory = new FakeMqttFactory();
  const connection = new Connection({
    getToken: async () => tokenFor('alice', 'alice-tab1'),
    createClient: factory.create,
    subscriptions: [{ filter: 'chat/+/+', qos: 1 }],
    onMessage: () => {},
    onStateChange: (state) => useConnectionStore.getState().setState(state),
    outbox: new Outbox(null),
  });
  render(<StatusPill />);
  connection.start();
  await act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
  act(() => factory.last.acceptConnect());
  expect(screen.getByRole('status')).toHaveTextContent('Connected');
  return { connection, factory };
}

function browserGoes(online: boolean): void {
  vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(online);
  act(() => void window.dispatchEvent(new Event(online ? 'online' : 'offline')));
}

describe('StatusPill', () => {
  it('says offline, and that messages wait, as soon as the browser loses its network', async () => {
    const { connection } = await connectedPill();
    browserGoes(false);
    expect(screen.getByRole('status')).toHaveTextContent(OFFLINE);
    connection.dispose();
  });

  it('is connected again once the broker answers after the network is back', async () => {
    const { connection, factory } = await connectedPill();
    browserGoes(false);
    browserGoes(true);
    expect(screen.getByRole('status')).toHaveTextContent('Connecting…');
    act(() => factory.last.answerPings());
    expect(screen.getByRole('status')).toHaveTextContent('Connected');
    connection.dispose();
  });
});
