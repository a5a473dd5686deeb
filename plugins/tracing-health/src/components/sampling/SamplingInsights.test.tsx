import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SWRConfig } from 'swr';
import { describeKept } from './insightsRequests';
import { SamplingInsights } from './SamplingInsights';
import { SamplingPreview } from './SamplingPreview';

const json = (body: unknown) =>
  new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
  });

function backend(boostAllowed: boolean) {
  const calls: Array<{ url: string; method: string; body?: unknown }> = [];
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      calls.push({
        url,
        method,
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      });
      if (url.endsWith('/kept'))
        return json({
          serviceName: 'checkout-api',
          windowSeconds: 3600,
          traces: 20000,
          keptTraces: 1532,
          byRule: { rate: 1180, error: 312, slow: 40 },
        });
      if (url.endsWith('/downstream'))
        return json({
          serviceName: 'checkout-api',
          windowSeconds: 3600,
          items: [
            {
              service: 'payments',
              spansPerMinute: 400000,
              keptSpansPerMinute: 40000,
            },
          ],
        });
      if (url.endsWith('/boost') && method === 'GET')
        return json({
          allowed: boostAllowed,
          defaultMinutes: 15,
          maxMinutes: 60,
        });
      if (url.endsWith('/boost') && method === 'POST')
        return json({ id: 'b1', scope: 'checkout-api', action: 'boost' });
      if (url.endsWith('/preview'))
        return json({
          serviceName: 'checkout-api',
          windowSeconds: 3600,
          traces: 3600,
          sampledTraces: 200,
          tracesPerSecond: 1,
          spansPerSecond: 3,
          bytesPerDay: 1e9,
          candidate: {
            tracesPerSecond: 0.5,
            spansPerSecond: 1.5,
            bytesPerDay: 5e8,
            keptFraction: 0.5,
            perTraceSigma: 0.5,
            errorShareKept: 1,
          },
          current: {
            tracesPerSecond: 0.1,
            spansPerSecond: 0.3,
            bytesPerDay: 1e8,
            keptFraction: 0.1,
            perTraceSigma: 0.3,
            errorShareKept: 1,
          },
          measured: {
            tracesPerSecond: 0.1,
            spansPerSecond: 0.3,
            bytesPerDay: 1e8,
          },
          slowMs: 5000,
          budget: {
            owner: 'group:default/payments-team',
            budget: { spansPerSecond: 1 },
            usedSpansPerSecond: 0.3,
            usedBytesPerDay: 1e8,
            projectedSpansPerSecond: 1.5,
            projectedBytesPerDay: 5e8,
            exceeded: true,
          },
        });
      return new Response('{}', { status: 404 });
    },
  );
  return { calls, fetch };
}

async function render(element: JSX.Element, boostAllowed: boolean) {
  const server = backend(boostAllowed);
  await renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [
            discoveryApiRef,
            { getBaseUrl: async () => 'http://portal/api/tracing-health' },
          ],
          [fetchApiRef, { fetch: server.fetch }],
          [
            permissionApiRef,
            new MockPermissionApi(() =>
              boostAllowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
            ),
          ],
        ]}
      >
        {element}
      </TestApiProvider>
    </SWRConfig>,
  );
  return server;
}

describe('SamplingInsights', () => {
  it('says why traces were kept and what they cost downstream; no boost for non-owners', async () => {
    await render(
      <SamplingInsights
        serviceName="checkout-api"
        entityRef="component:default/checkout"
        onChanged={() => {}}
      />,
      false,
    );
    expect(await screen.findByTestId('kept-by-rule')).toHaveTextContent(
      'In the last hour: 312 kept for errors, 40 slow, 1,180 by rate (of 20,000 traces it started).',
    );
    expect(screen.getByTestId('downstream-cost')).toHaveTextContent(
      'payments 40,000 spans/min kept (of 400,000)',
    );
    expect(screen.queryByRole('button', { name: /Boost/ })).toBeNull();
  });

  it('lets owners boost with a reason in one click', async () => {
    const onChanged = jest.fn();
    const server = await render(
      <SamplingInsights
        serviceName="checkout-api"
        entityRef="component:default/checkout"
        onChanged={onChanged}
      />,
      true,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Boost to 100% for 15 min' }),
    );
    await userEvent.type(
      screen.getByLabelText('Why boost'),
      'debugging checkout',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Start boost' }));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(server.calls.find(c => c.method === 'POST')).toEqual({
      url: 'http://portal/api/tracing-health/policies/checkout-api/boost',
      method: 'POST',
      body: { reason: 'debugging checkout' },
    });
  });
});

describe('SamplingPreview', () => {
  it('shows what the candidate would keep against now, and warns over budget', async () => {
    const server = await render(
      <SamplingPreview
        serviceName="checkout-api"
        patch={{ strategy: { type: 'probabilistic', rate: 0.5 } }}
      />,
      true,
    );
    expect(await screen.findByTestId('preview-kept')).toHaveTextContent(
      'Would keep 50% of traces: 0.5/s traces, 1.5/s spans, 500 MB/day (now 10%: 0.1/s traces, 0.3/s spans, 100 MB/day).',
    );
    expect(screen.getByTestId('preview-budget-warning')).toHaveTextContent(
      'group:default/payments-team over its budget',
    );
    expect(server.calls.filter(c => c.url.endsWith('/preview'))).toHaveLength(
      1,
    );
    expect(server.calls[0].body).toEqual({
      policy: { strategy: { type: 'probabilistic', rate: 0.5 } },
    });
  });

  it('describes kept counts in a fixed order', () => {
    expect(describeKept({})).toBe('no trace kept');
    expect(describeKept({ boost: 5, error: 2 })).toBe(
      '2 kept for errors, 5 by a boost',
    );
  });
});
