import { Browser, chromium } from 'playwright-core';

/**
 * Headless Debian Chromium (playwright cannot download its own here). `launch` gives every run
 * a fresh temporary profile, which is the fresh --user-data-dir the machine needs.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
