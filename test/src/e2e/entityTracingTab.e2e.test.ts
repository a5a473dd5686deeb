import fs from 'node:fs';
import path from 'node:path';
import { Browser, Locator, Page } from 'playwright-core';
import {
  collectConsoleWarnings,
  launchChromium,
  STRING_FILTER_WARNING,
} from '../browser';
import {
  ensureAppBuilt,
  outputDir,
  RunningPortal,
  startPortal,
  waitForCatalog,
} from '../portal';

jest.setTimeout(600_000);

describe('entity Tracing tab in a real browser', () => {
  let portal: RunningPortal;
  let browser: Browser;
  let page: Page;
  let consoleWarnings: string[];

  beforeAll(async () => {
    ensureAppBuilt();
    portal = await startPortal();
    await waitForCatalog(portal.baseUrl);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    consoleWarnings = collectConsoleWarnings(page);
    fs.mkdirSync(outputDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  /** The embedded default signs in as guest; the page asks once per browser session. */
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

  it('shows the service name of an opted-in component on its Tracing tab', async () => {
    await openAndWaitFor(
      `${portal.baseUrl}/catalog/default/component/payments/tracing`,
      page.getByText('Tracing settings'),
    );
    await page.getByText('payments-api', { exact: true }).waitFor();
    await page.screenshot({
      path: path.join(outputDir, 'entity-tracing-tab-payments.png'),
      fullPage: true,
    });
  });

  it('shows one opt-in card with the snippet for a component that did not opt in', async () => {
    await openAndWaitFor(
      `${portal.baseUrl}/catalog/default/component/legacy-reports/tracing`,
      page.getByText('Opt in to tracing'),
    );
    const body = (await page.textContent('body')) ?? '';
    expect(body).toContain('tracing-health/enabled: "true"');
    expect(body).toContain('has no tracing-health/enabled annotation');
    expect(body).not.toMatch(/Missing Annotation/i);
    expect(
      await page.locator('[data-testid="tracing-opt-in-card"]').count(),
    ).toBe(1);
    await page.screenshot({
      path: path.join(outputDir, 'entity-tracing-tab-legacy-reports.png'),
      fullPage: true,
    });
  });

  it('shows exactly one card naming an invalid opt-in value (enabled: "yes")', async () => {
    await openAndWaitFor(
      `${portal.baseUrl}/catalog/default/component/notifications/tracing`,
      page.getByTestId('tracing-opt-in-problem'),
    );
    expect(
      await page.locator('[data-testid="tracing-opt-in-card"]').count(),
    ).toBe(1);
    expect(
      await page.getByTestId('tracing-opt-in-problem').textContent(),
    ).toContain('tracing-health/enabled is "yes"');
    const body = (await page.textContent('body')) ?? '';
    expect(body).not.toMatch(/Missing Annotation|is missing/i);
    expect(await page.getByTestId('tracing-annotation-errors').count()).toBe(0);
    await page.screenshot({
      path: path.join(
        outputDir,
        'entity-tracing-tab-notifications-invalid.png',
      ),
      fullPage: true,
    });
  });

  it('shows annotation errors on the entity', async () => {
    await openAndWaitFor(
      `${portal.baseUrl}/catalog/default/component/inventory/tracing`,
      page.getByText('Invalid tracing-health annotations'),
    );
    await page.getByText(/tracing-health\/tier: must be one of/).waitFor();
  });

  it('causes no console warning about string filters on the pages it visited', () => {
    expect(consoleWarnings.filter(m => STRING_FILTER_WARNING.test(m))).toEqual(
      [],
    );
  });
});
