import fs from 'node:fs';
import path from 'node:path';
import { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../browser';
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

  beforeAll(async () => {
    ensureAppBuilt();
    portal = await startPortal();
    await waitForCatalog(portal.baseUrl);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    fs.mkdirSync(outputDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  /** The embedded default signs in as guest; the page asks once per browser session. */
  async function openAndWaitFor(url: string, expected: Locator) {
    await page.goto(url);
    const enter = page.getByRole('button', { name: 'Enter' });
    await enter.or(expected).first().waitFor({ timeout: 60_000 });
    if (await enter.isVisible()) await enter.click();
    await expected.waitFor({ timeout: 60_000 });
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

  it('shows the opt-in snippet for a component that did not opt in', async () => {
    await openAndWaitFor(
      `${portal.baseUrl}/catalog/default/component/legacy-reports/tracing`,
      page.getByText(/Missing Annotation/i).first(),
    );
    await page.getByText('Opt in to tracing').waitFor();
    expect(await page.textContent('body')).toContain('tracing-health/enabled: "true"');
    await page.screenshot({
      path: path.join(outputDir, 'entity-tracing-tab-legacy-reports.png'),
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
});
