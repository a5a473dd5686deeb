import { Browser, chromium, Page } from 'playwright-core';

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

/** Console messages of a page at `warning` or `error` level, collected as they come. */
export function collectConsoleWarnings(page: Page): string[] {
  const messages: string[] = [];
  page.on('console', message => {
    if (message.type() === 'warning' || message.type() === 'error')
      messages.push(message.text());
  });
  return messages;
}

/** Warnings the new frontend system prints for an extension configured with a string filter. */
export const STRING_FILTER_WARNING =
  /string as the default filter|string-based filter/i;

/**
 * Layout faults of a table at the page's current size, measured in the browser: whether its
 * scroll container scrolls horizontally, and every word (text split at whitespace) that the
 * layout broke across lines (a word whose text range has more than one line box), e.g.
 * "fraud-" / "detection". `rootSelector` is the element holding the table.
 */
export async function tableLayoutFaults(
  page: Page,
  rootSelector: string,
): Promise<{
  horizontalScroll: { scrollWidth: number; clientWidth: number }[];
  brokenWords: string[];
}> {
  return page.evaluate(selector => {
    const root = document.querySelector(selector);
    if (!root) throw new Error(`${selector} not found`);
    const horizontalScroll: { scrollWidth: number; clientWidth: number }[] = [];
    for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
      const style = getComputedStyle(el);
      const scrolls =
        style.overflowX === 'auto' || style.overflowX === 'scroll';
      if (scrolls && el.scrollWidth > el.clientWidth + 1)
        horizontalScroll.push({
          scrollWidth: el.scrollWidth,
          clientWidth: el.clientWidth,
        });
    }
    const brokenWords: string[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      const words = /\S+/g;
      for (let m = words.exec(text); m; m = words.exec(text)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(
          Array.from(range.getClientRects())
            .filter(r => r.width > 0)
            .map(r => Math.round(r.top)),
        );
        if (lines.size > 1) brokenWords.push(m[0]);
      }
    }
    return { horizontalScroll, brokenWords };
  }, rootSelector);
}
