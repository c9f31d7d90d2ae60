import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { BrokerHealth } from '../../../../src/client/features/admin/api/get-health';
import { server } from '../../support/msw-server';
import { errorBody } from './support/admin-api';
import { renderConsole } from './support/render-console';

const health = (n: number): BrokerHealth => ({
  connections: 2 + n,
  subscriptions: 10,
  retained: 4,
  messagesInPerSecond: n === 0 ? 0.5 : 12,
  messagesOutPerSecond: 3,
  memory: { rssBytes: 64 * 1024 * 1024, heapUsedBytes: 20 * 1024 * 1024 },
  uptimeSeconds: 3_725 + 2 * n,
});

const card = (label: string) => {
  const heading = screen.getByRole('heading', { name: label, level: 4 });
  const li = heading.closest('li');
  if (!li) throw new Error(`no card ${label}`);
  return within(li);
};

describe('Health', () => {
  it('shows the org’s figures and draws each as a live sparkline, polled every 2 s', async () => {
    let polls = 0;
    server.use(http.get('/api/admin/health', () => HttpResponse.json(health(polls++))));
    renderConsole('health');
    await screen.findByRole('list', { name: 'Broker health' });

    expect(card('Messages in per second').getByText('0.5')).toBeInTheDocument();
    expect(card('Messages out per second').getByText('3')).toBeInTheDocument();
    expect(card('Connections').getByText('2')).toBeInTheDocument();
    expect(card('Subscriptions').getByText('10')).toBeInTheDocument();
    expect(card('Retained messages').getByText('4')).toBeInTheDocument();
    expect(card('Memory (RSS)').getByText('64.0 MB')).toBeInTheDocument();
    expect(card('Uptime').getByText('1h 2m')).toBeInTheDocument();
    expect(card('Uptime').getByText('Heap used 20.0 MB')).toBeInTheDocument();
    const chart = card('Messages in per second').getByRole('img');
    expect(chart).toHaveAccessibleName(
      'Messages in per second over the last 2 minutes: now 0.5, highest 0.5',
    );
    expect(chart.querySelector('polyline')?.getAttribute('points')?.split(' ')).toHaveLength(1);

    // The next poll adds a sample: the line has two points and the figures move.
    expect(await card('Connections').findByText('3', {}, { timeout: 5_000 })).toBeInTheDocument();
    const updated = card('Messages in per second').getByRole('img');
    expect(updated).toHaveAccessibleName(
      'Messages in per second over the last 2 minutes: now 12, highest 12',
    );
    expect(updated.querySelector('polyline')?.getAttribute('points')?.split(' ')).toHaveLength(2);
    expect(card('Uptime').getByText('1h 2m')).toBeInTheDocument();
  });

  it('shows the server’s 503 when it runs without the embedded broker', async () => {
    server.use(
      http.get('/api/admin/health', () =>
        HttpResponse.json(
          errorBody(
            'broker_unavailable',
            'this server runs without the embedded broker; ask the MQTT cluster instead',
          ),
          { status: 503 },
        ),
      ),
    );
    renderConsole('health');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load health: this server runs without the embedded broker; ask the MQTT cluster instead (broker_unavailable)',
    );
  });
});
