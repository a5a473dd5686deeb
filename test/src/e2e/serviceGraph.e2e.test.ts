import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { allExpressions } from '@internal/grafana-tracing-health-app/src/generate/expressions';
import type {
  DependencyEdge,
  EntityDependenciesResponse,
} from '@internal/plugin-tracing-health-common';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../browser';
import {
  eventually,
  freePort,
  RunningPrometheus,
  startPrometheus,
} from '../prometheus';
import {
  DEV_INGEST_TOKEN,
  guestToken,
  outputDir,
  repoRoot,
  RunningPortal,
  startPortal,
  waitForCatalog,
} from '../portal';

jest.setTimeout(600_000);

interface GraphService {
  service: string;
  listenPort?: number;
  extract?: boolean;
  calls?: Array<{ url: string; inject: boolean; peerService?: string }>;
  rounds?: number;
  intervalMs?: number;
}

/** One process of test/fixtures/graph-service.js: a service with the real OpenTelemetry SDK. */
function startService(portal: RunningPortal, config: GraphService) {
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(repoRoot, 'test/fixtures/graph-service.js')],
    {
      cwd: path.join(repoRoot, 'test'),
      env: {
        ...process.env,
        GRAPH_SERVICE: JSON.stringify({
          endpoint: `${portal.baseUrl}/api/tracing-health/v1/traces`,
          token: DEV_INGEST_TOKEN,
          ...config,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', d => (output += d));
  child.stderr!.on('data', d => (output += d));
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', resolve),
  );
  return {
    output: () => output,
    exited,
    listening: () =>
      eventually(async () => output.includes('listening'), {
        what: `${config.service} listening: ${output}`,
        timeoutMs: 30_000,
      }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Real SDK processes call each other over HTTP: checkout → orders with W3C propagation,
 * checkout → billing where billing does not extract the context (its spans start new traces),
 * and checkout → an HTTP server that sends no spans at all, once named by `peer.service`
 * (fraud-detection, a catalog component that is not traced) and once only by its address.
 */
describe('service graph from real SDK processes', () => {
  let portal: RunningPortal;
  let prometheus: RunningPrometheus;
  let untraced: http.Server;
  const services: Array<ReturnType<typeof startService>> = [];
  let token: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    portal = await startPortal({
      // Unpaired halves settle after 3 s instead of 10 s, so the suite waits less.
      configYaml: 'tracingHealth:\n  serviceGraph:\n    waitSeconds: 3\n',
    });
    await waitForCatalog(portal.baseUrl);
    token = await guestToken(portal.baseUrl);
    prometheus = await startPrometheus({
      targets: [
        {
          job: 'tracing-health',
          url: `${portal.baseUrl}/api/tracing-health/metrics`,
        },
      ],
    });
    const untracedPort = await freePort();
    untraced = http.createServer((_req, res) => res.end('legacy'));
    await new Promise<void>(resolve =>
      untraced.listen(untracedPort, '127.0.0.1', resolve),
    );
    const ordersPort = await freePort();
    const billingPort = await freePort();
    const orders = startService(portal, {
      service: 'orders',
      listenPort: ordersPort,
      extract: true,
    });
    const billing = startService(portal, {
      service: 'billing',
      listenPort: billingPort,
      extract: false,
    });
    services.push(orders, billing);
    await orders.listening();
    await billing.listening();
    const checkout = startService(portal, {
      service: 'checkout',
      rounds: 150,
      intervalMs: 150,
      calls: [
        { url: `http://127.0.0.1:${ordersPort}/orders`, inject: true },
        { url: `http://127.0.0.1:${billingPort}/invoices`, inject: true },
        {
          url: `http://127.0.0.1:${untracedPort}/score`,
          inject: true,
          peerService: 'fraud-detection',
        },
        { url: `http://127.0.0.1:${untracedPort}/legacy`, inject: true },
      ],
    });
    services.push(checkout);
    const code = await checkout.exited;
    if (code !== 0)
      throw new Error(`checkout exited with ${code}: ${checkout.output()}`);
  });

  afterAll(async () => {
    // The processes' output, for a failure's post-mortem.
    fs.mkdirSync(outputDir, { recursive: true });
    fs.writeFileSync(
      path.join(outputDir, 'service-graph-e2e.log'),
      [portal?.logs(), ...services.map(s => s.output())].join('\n----\n'),
    );
    await browser?.close();
    await Promise.all(services.map(s => s.stop()));
    untraced?.close();
    await prometheus?.stop();
    await portal?.stop();
  });

  const get = async <T>(route: string): Promise<T> => {
    const res = await fetch(`${portal.baseUrl}/api/tracing-health${route}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  it('draws both edges and names billing as the side that breaks propagation', async () => {
    const downstream = await eventually(
      async () => {
        const body = await get<EntityDependenciesResponse>(
          '/dependencies/entity/default/component/checkout',
        );
        const byServer = new Map(body.downstream.map(e => [e.server, e]));
        const ready =
          byServer.get('orders')?.requestsPerSecond &&
          byServer.get('billing')?.brokenPerSecond &&
          byServer.get('fraud-detection') &&
          byServer.get('127.0.0.1');
        return ready ? byServer : undefined;
      },
      {
        what: 'checkout edges in the rollups',
        timeoutMs: 120_000,
        intervalMs: 2_000,
      },
    );
    expect(downstream.get('orders')).toMatchObject<Partial<DependencyEdge>>({
      propagation: 'ok',
      virtual: false,
      serverEntityRef: 'component:default/orders',
    });
    expect(downstream.get('orders')!.p95Seconds).toBeGreaterThan(0);
    expect(downstream.get('billing')).toMatchObject<Partial<DependencyEdge>>({
      propagation: 'broken',
      likelyBrokenSide: 'server',
      brokenRatio: 1,
      virtual: false,
      serverEntityRef: 'component:default/billing',
    });

    const billing = await get<EntityDependenciesResponse>(
      '/dependencies/entity/default/component/billing',
    );
    expect(billing.upstream).toEqual([
      expect.objectContaining({
        client: 'checkout',
        propagation: 'broken',
        likelyBrokenSide: 'server',
      }),
    ]);
  });

  it('shows calls to the untraced HTTP server as virtual nodes, one matched to its catalog component', async () => {
    const checkout = await get<EntityDependenciesResponse>(
      '/dependencies/entity/default/component/checkout',
    );
    const byServer = new Map(checkout.downstream.map(e => [e.server, e]));
    expect(byServer.get('fraud-detection')).toMatchObject<
      Partial<DependencyEdge>
    >({
      virtual: true,
      propagation: 'not-traced',
      connectionType: 'virtual_node',
      serverEntityRef: 'component:default/fraud-detection',
    });
    expect(byServer.get('127.0.0.1')).toMatchObject<Partial<DependencyEdge>>({
      virtual: true,
      propagation: 'not-traced',
    });

    const fraud = await get<EntityDependenciesResponse>(
      '/dependencies/entity/default/component/fraud-detection',
    );
    expect(fraud.calledButNotTraced).toBe(true);
    expect(fraud.upstream.map(e => e.client)).toEqual(['checkout']);

    const fleet = await get<any>('/dependencies/fleet');
    expect(fleet.worstEdges[0]).toMatchObject({
      client: 'checkout',
      server: 'billing',
    });
    expect(fleet.uninstrumented[0]).toMatchObject({
      name: 'fraud-detection',
      entityRef: 'component:default/fraud-detection',
    });
  });

  it('shows the edges on the entity pages and the fleet page in a real browser', async () => {
    browser = await launchChromium();
    const page: Page = await browser.newPage({
      viewport: { width: 1400, height: 1000 },
    });
    const open = async (pathname: string, expected: string) => {
      try {
        await page.goto(`${portal.baseUrl}${pathname}`);
        const enter = page.getByRole('button', { name: 'Enter' });
        const wanted = page.getByText(expected).first();
        await enter.or(wanted).first().waitFor({ timeout: 60_000 });
        if (await enter.isVisible()) await enter.click();
        await wanted.waitFor({ timeout: 60_000 });
      } catch (error) {
        const name = pathname.replace(/[^a-z0-9]+/gi, '-');
        await page.screenshot({
          path: path.join(outputDir, `failed-service-graph${name}.png`),
          fullPage: true,
        });
        throw error;
      }
    };
    await open(
      '/catalog/default/component/checkout/tracing',
      'broken: billing does not extract the context',
    );
    const billingRow = page.locator(
      '[data-testid="dependency-edge"][data-server="billing"]',
    );
    expect(
      await billingRow
        .getByTestId('broken-propagation-runbook')
        .getAttribute('href'),
    ).toContain('/tracing-health/runbooks/broken-propagation?service=billing');
    expect(
      await page
        .locator(
          '[data-testid="dependency-edge"][data-server="fraud-detection"]',
        )
        .textContent(),
    ).toContain('not traced');
    await page.screenshot({
      path: path.join(outputDir, 'entity-dependencies-checkout.png'),
      fullPage: true,
    });

    // fraud-detection has not opted in; its page still says that checkout calls it.
    await open(
      '/catalog/default/component/fraud-detection/tracing',
      'but it sends no spans',
    );

    await open('/tracing-health', 'Worst edges');
    expect(
      await page
        .locator('[data-testid="worst-edges"] [data-testid="dependency-edge"]')
        .first()
        .getAttribute('data-server'),
    ).toBe('billing');
  });

  it('refuses the dependency routes without credentials', async () => {
    const res = await fetch(
      `${portal.baseUrl}/api/tracing-health/dependencies/fleet`,
    );
    expect(res.status).toBe(401);
  });

  it('gives Prometheus data for every query of the service-graph dashboard and its alert', async () => {
    const expressions = allExpressions().filter(
      e =>
        e.source.startsWith('dashboard tracing-health-service-graph ') ||
        e.source === 'alert TracingHealthBrokenPropagation (signal)',
    );
    expect(expressions.length).toBeGreaterThan(8);
    const server = prometheus;
    let empty = expressions;
    for (let round = 0; round < 12 && empty.length > 0; round++) {
      if (round > 0) await new Promise(r => setTimeout(r, 5_000));
      const results = await Promise.all(
        empty.map(async e => ({ e, data: await server.query(e.promql) })),
      );
      empty = results.filter(r => r.data.result.length === 0).map(r => r.e);
    }
    expect(empty.map(e => `${e.source}: ${e.promql}`)).toEqual([]);
    const edges = await prometheus.query(
      // Over a range: the last samples count even if the portal restarted since (a restart
      // ends the series, and an instant query sees none).
      'sum by (client, server, connection_type) (last_over_time(tracing_health_service_graph_request_total[10m]))',
    );
    const names = edges.result.map(
      (r: any) =>
        `${r.metric.client}->${r.metric.server}:${
          r.metric.connection_type ?? ''
        }`,
    );
    expect(names).toEqual(
      expect.arrayContaining([
        'checkout->orders:',
        'checkout->fraud-detection:virtual_node',
        'checkout->127.0.0.1:virtual_node',
      ]),
    );
    const broken = await prometheus.query(
      'sum by (client, server) (last_over_time(tracing_health_service_graph_broken_propagation_total[10m]))',
    );
    expect(
      broken.result.map((r: any) => `${r.metric.client}->${r.metric.server}`),
    ).toEqual(['checkout->billing']);
  });
});
