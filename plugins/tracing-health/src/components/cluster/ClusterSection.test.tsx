import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ClusterStatusResponse } from '@internal/plugin-tracing-health-common';
import { screen, within } from '@testing-library/react';
import { TracingHealthApi, tracingHealthApiRef } from '../../api';
import { ClusterSection } from './ClusterSection';

const A = 'http://10.0.0.1:7007';
const B = 'http://10.0.0.2:7007';

const twoReplicas: ClusterStatusResponse = {
  enabled: true,
  self: A,
  heartbeatSeconds: 2,
  memberTtlSeconds: 10,
  members: [
    {
      id: A,
      self: true,
      startedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
      lastSeen: new Date().toISOString(),
      heldSpans: 4321,
    },
    {
      id: B,
      self: false,
      startedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
      lastSeen: new Date().toISOString(),
    },
  ],
  peers: [{ peer: B, forwardedSpans: 12345, receivedSpans: 678 }],
  forwardFailures: [
    { reason: 'timeout', forwards: 3, spans: 120 },
    { reason: 'refused', forwards: 1, spans: 7 },
  ],
  lostSpans: [
    { reason: 'replica_died', spans: 950 },
    { reason: 'forward_failed_refused', spans: 12 },
    { reason: 'replica_restarted', spans: 0 },
  ],
  ownershipChanges: { joined: 2, left: 1 },
};

async function render(status: ClusterStatusResponse) {
  const api: Partial<TracingHealthApi> = {
    getClusterStatus: jest.fn(async () => status),
  };
  await renderInTestApp(
    <TestApiProvider apis={[[tracingHealthApiRef, api]]}>
      <ClusterSection />
    </TestApiProvider>,
  );
}

describe('ClusterSection', () => {
  it('lists the live replicas, spans forwarded and received per peer, forward failures and membership changes', async () => {
    await render(twoReplicas);
    expect(await screen.findByText(`${A} (answered this page)`)).toBeTruthy();
    expect(screen.getByText('3 h ago')).toBeTruthy();
    expect(screen.getByText('20 min ago')).toBeTruthy();

    // the peer's row holds both directions
    const row = within(screen.getByText('12,345').closest('tr')!);
    expect(row.getByText(B)).toBeTruthy();
    expect(row.getByText('678')).toBeTruthy();

    const failures = screen.getByTestId('cluster-failures');
    expect(failures.textContent).toContain('timeout: 3 forwards, 120 spans');
    expect(failures.textContent).toContain('refused: 1 forwards, 7 spans');
    // what each member holds, and what went with a replica that was killed (reasons with spans)
    expect(
      within(
        screen.getByText(`${A} (answered this page)`).closest('tr')!,
      ).getByText('4,321'),
    ).toBeTruthy();
    const losses = screen.getByTestId('cluster-losses');
    expect(losses.textContent).toContain('replica died: 950 spans');
    expect(losses.textContent).toContain('forward failed refused: 12 spans');
    expect(losses.textContent).not.toContain('restarted');
    expect(screen.getByTestId('cluster-summary').textContent).toMatch(
      /2 live replicas .*2 joined and 1 left since/,
    );
  });

  it('says when no forward failed and no replica was lost', async () => {
    await render({ ...twoReplicas, forwardFailures: [], lostSpans: [] });
    expect(await screen.findByTestId('cluster-no-failures')).toBeTruthy();
    expect(screen.queryByTestId('cluster-failures')).toBeNull();
    expect(screen.getByTestId('cluster-no-loss')).toBeTruthy();
  });

  it('says one replica decides everything when the cluster is not configured', async () => {
    await render({
      enabled: false,
      members: [],
      peers: [],
      forwardFailures: [],
      lostSpans: [],
      ownershipChanges: { joined: 0, left: 0 },
    });
    expect(
      (await screen.findByTestId('cluster-disabled')).textContent,
    ).toContain('tracingHealth.cluster.advertiseUrl');
  });
});
