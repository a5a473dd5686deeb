import fs from 'node:fs';
import path from 'node:path';
import { Browser, Locator, Page } from 'playwright-core';
import {
  collectConsoleWarnings,
  launchChromium,
  STRING_FILTER_WARNING,
  tableLayoutFaults,
} from '../browser';
import { runDemoTraffic } from '../demoTraffic';
import { eventually } from '../prometheus';
import {
  ensureAppBuilt,
  guestTokenOwning,
  outputDir,
  RunningPortal,
  startPortal,
  waitForCatalog,
} from '../portal';

jest.setTimeout(900_000);

/** What the example catalog and the demo traffic must produce (examples/entities.yaml). */
const EXPECTED_STATES: Record<string, string> = {
  'storefront-web': 'traced',
  checkout: 'traced',
  payments: 'traced',
  billing: 'traced',
  'product-catalog': 'traced',
  search: 'traced',
  orders: 'traced',
  inventory: 'traced',
  'auth-gateway': 'traced',
  shipping: 'silent',
  'fraud-detection': 'untraced',
  recommendations: 'untraced',
  notifications: 'untraced',
  'legacy-reports': 'untraced',
};

describe('coverage and sampling with demo traffic, in the API and a real browser', () => {
  let portal: RunningPortal;
  let browser: Browser;
  let page: Page;
  let token: string;
  let consoleWarnings: string[];

  beforeAll(async () => {
    ensureAppBuilt();
    portal = await startPortal();
    await waitForCatalog(portal.baseUrl);
    token = await guestTokenOwning();
    await runDemoTraffic({ baseUrl: portal.baseUrl, seconds: 20 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    consoleWarnings = collectConsoleWarnings(page);
    fs.mkdirSync(outputDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  async function api(pathname: string) {
    const res = await fetch(`${portal.baseUrl}/api/tracing-health${pathname}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return res.json() as Promise<any>;
  }

  async function openAndWaitFor(url: string, expected: Locator) {
    try {
      await page.goto(url);
      const enter = page.getByRole('button', { name: 'Enter' });
      await enter.or(expected).first().waitFor({ timeout: 60_000 });
      if (await enter.isVisible()) await enter.click();
      await expected.waitFor({ timeout: 60_000 });
    } catch (error) {
      // What the page showed instead, for whoever reads the failure.
      const name = new URL(url).pathname.replace(/[^a-z0-9]+/gi, '-');
      await page.screenshot({
        path: path.join(outputDir, `failed${name}.png`),
        fullPage: true,
      });
      throw error;
    }
  }

  it('puts every example component in its coverage state and lists the unregistered name', async () => {
    const fleet = await eventually(
      async () => {
        const body = await api('/coverage/fleet');
        const traced = body.items.filter(
          (i: any) => i.state === 'traced',
        ).length;
        return traced >= 9 ? body : undefined;
      },
      { what: 'nine traced services', timeoutMs: 120_000, intervalMs: 2_000 },
    );
    const states = Object.fromEntries(
      fleet.items.map((i: any) => [i.entityRef.split('/').pop(), i.state]),
    );
    expect(states).toEqual(expect.objectContaining(EXPECTED_STATES));
    expect(JSON.stringify(fleet)).toContain('legacy-cron');
  });

  it('shows the coverage card with a rendered chart on an opted-in entity', async () => {
    // orders is only called by others: it starts no trace but receives requests.
    const orders = await api('/coverage/entity/default/component/orders');
    expect(orders.coverage.figures.tracesPerSecond).toBe(0);
    expect(orders.coverage.figures.requestsPerSecond).toBeGreaterThan(0);

    await openAndWaitFor(
      `${portal.baseUrl}/catalog/default/component/orders/tracing`,
      page.getByText('Trace coverage'),
    );
    await page
      .locator('.recharts-surface')
      .first()
      .waitFor({ timeout: 60_000 });
    await page.getByText('traced', { exact: true }).first().waitFor();
    const requests = await page
      .getByTestId('coverage-figure-Requests/s')
      .textContent();
    expect(requests).not.toBe('0/s');
    expect(parseFloat(requests!.replace('<', ''))).toBeGreaterThan(0);
    expect(await page.getByTestId('coverage-figure-Traces/s').count()).toBe(0);

    // The portal started minutes ago: the window is the hour, and the series drawn is
    // visible (markers on its few points, or a line with extent).
    expect(
      await page
        .getByRole('button', { name: '1 h' })
        .getAttribute('aria-pressed'),
    ).toBe('true');
    for (const chart of ['rate', 'p95']) {
      const visible = await page.evaluate(id => {
        const root = document.querySelector(`[data-testid="${id}"]`)!;
        const dots = Array.from(
          root.querySelectorAll('.recharts-line-dot'),
        ).filter(d => {
          const box = (d as SVGGraphicsElement).getBBox();
          return box.width > 0 && box.height > 0;
        });
        const curves = Array.from(
          root.querySelectorAll('.recharts-line-curve'),
        ).filter(c => (c as SVGGraphicsElement).getBBox().width > 20);
        return { dots: dots.length, curves: curves.length };
      }, `coverage-chart-${chart}`);
      expect(visible.dots + visible.curves).toBeGreaterThan(0);
    }
    // The error axis tops out at 100% at most.
    const errorTicks = await page
      .locator(
        '[data-testid="coverage-chart-errors"] .recharts-yAxis .recharts-cartesian-axis-tick-value',
      )
      .allTextContents();
    expect(Math.max(...errorTicks.map(t => parseFloat(t)))).toBeLessThanOrEqual(
      100,
    );
    await page.screenshot({
      path: path.join(outputDir, 'entity-coverage-orders.png'),
      fullPage: true,
    });
  });

  it('lists every example service on the fleet page with its state', async () => {
    await openAndWaitFor(
      `${portal.baseUrl}/tracing-health`,
      page.getByText('Coverage by component'),
    );
    const body = (await page.textContent('body')) ?? '';
    for (const name of Object.keys(EXPECTED_STATES))
      expect(body).toContain(name);
    expect(body).toContain('legacy-cron');
    // The page fits the 1400 px viewport: the totals and the table end inside it (a wide
    // table scrolls inside its own card).
    const rightEdges = await page.evaluate(() =>
      ['fleet-total-states', 'fleet-coverage-table'].map(id => {
        const box = document
          .querySelector(`[data-testid="${id}"]`)!
          .getBoundingClientRect();
        return { id, overflow: Math.round(box.right - window.innerWidth) };
      }),
    );
    await page.screenshot({
      path: path.join(outputDir, 'fleet-page.png'),
      fullPage: true,
    });
    expect(rightEdges.filter(e => e.overflow > 0)).toEqual([]);
    // Every column is visible without scrolling, and no word breaks across lines (in names,
    // headers or the title).
    const faults = await tableLayoutFaults(
      page,
      '[data-testid="fleet-coverage-table"]',
    );
    expect(faults).toEqual({ horizontalScroll: [], brokenWords: [] });
    await page
      .locator('section[aria-label="Health checks"] table')
      .first()
      .waitFor();
    const board = await tableLayoutFaults(
      page,
      'section[aria-label="Health checks"]',
    );
    // A check's target URL may wrap at its slashes; words may not.
    expect(board.brokenWords.filter(w => !w.includes('://'))).toEqual([]);
    const lastSeenHeader = await page.evaluate(() => {
      const table = document.querySelector(
        '[data-testid="fleet-coverage-table"]',
      )!;
      const header = Array.from(table.querySelectorAll('th')).find(th =>
        th.textContent?.includes('Last seen'),
      )!;
      return Math.round(
        header.getBoundingClientRect().right -
          table.getBoundingClientRect().right,
      );
    });
    expect(lastSeenHeader).toBeLessThanOrEqual(0);
    // A service only others call shows the requests it receives.
    const ordersRequests = await page.evaluate(() => {
      const table = document.querySelector(
        '[data-testid="fleet-coverage-table"]',
      )!;
      const column = Array.from(table.querySelectorAll('thead th')).findIndex(
        th => th.textContent?.includes('Requests/s'),
      );
      const row = Array.from(table.querySelectorAll('tbody tr')).find(
        tr => tr.querySelector('td a')?.textContent === 'orders',
      );
      return row?.querySelectorAll('td')[column]?.textContent ?? '';
    });
    expect(parseFloat(ordersRequests.replace('<', ''))).toBeGreaterThan(0);
  });

  it('lets an owner change the rate with a reason, and records it in history and /sampling', async () => {
    await openAndWaitFor(
      `${portal.baseUrl}/catalog/default/component/orders/tracing`,
      page.getByRole('button', { name: 'Edit policy' }),
    );
    await page.getByRole('button', { name: 'Edit policy' }).click();
    const form = page.getByRole('form', { name: 'Edit sampling policy' });
    await form.getByLabel('Rate').fill('0.25');
    await form
      .getByLabel('Reason')
      .fill('e2e: orders is noisy, keep a quarter');
    await form.getByRole('button', { name: 'Save policy' }).click();
    await page
      .getByText('e2e: orders is noisy, keep a quarter')
      .first()
      .waitFor({ timeout: 30_000 });
    // The history names the changed field in words, not JSON.
    const change =
      (await page
        .getByTestId('sampling-history-change')
        .first()
        .textContent()) ?? '';
    expect(change).toContain('→ 25%');
    expect(change).not.toContain('{');
    await page.screenshot({
      path: path.join(outputDir, 'entity-sampling-orders.png'),
      fullPage: true,
    });

    const policy = await api('/policies/orders');
    expect(JSON.stringify(policy)).toContain('0.25');
    const history = await api('/policies/orders/history');
    expect(JSON.stringify(history)).toContain(
      'e2e: orders is noisy, keep a quarter',
    );
  });

  it('does not offer the form to a non-owner, and the API answers 403', async () => {
    await openAndWaitFor(
      `${portal.baseUrl}/catalog/default/component/checkout/tracing`,
      page.getByText('Sampling', { exact: true }).first(),
    );
    await page.getByText('Change history').first().waitFor();
    expect(
      await page.getByRole('button', { name: 'Edit policy' }).count(),
    ).toBe(0);
    const res = await fetch(
      `${portal.baseUrl}/api/tracing-health/policies/checkout`,
      {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          reason: 'not mine',
          policy: { strategy: { type: 'probabilistic', rate: 0.5 } },
        }),
      },
    );
    expect(res.status).toBe(403);
  });

  it('causes no console warning about string filters on the pages it visited', () => {
    expect(consoleWarnings.filter(m => STRING_FILTER_WARNING.test(m))).toEqual(
      [],
    );
  });
});
