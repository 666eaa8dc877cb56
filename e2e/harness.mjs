// Shared by the end-to-end tests: a built site served by vite preview on a free port, Debian's
// Chromium through playwright-core, and Debian's Firefox ESR through puppeteer-core (WebDriver BiDi).
import { preview } from 'vite';
import { chromium } from 'playwright-core';
import { chromeFlags } from '../scripts/lib.mjs';

/** Serves a built site (vite preview options: root, build.outDir) on a free port. */
export async function serve(config) {
  const server = await preview({ ...config, preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'silent' });
  return { server, base: server.resolvedUrls.local[0] };
}

/** Serves a built site (vite preview options: root, build.outDir) and launches headless Chromium. */
export async function serveAndLaunch(config) {
  const { server, base } = await serve(config);
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', headless: true, args: chromeFlags() });
  return { server, browser, base };
}

/**
 * Launches the system's headless Firefox (FIREFOX_PATH, else Debian's /usr/bin/firefox-esr) over
 * WebDriver BiDi. puppeteer-core downloads no browser; it gives Firefox a fresh profile in a temp
 * folder (with its automation prefs: no updates, no telemetry, no first-run pages) and deletes it
 * on close. Prefs are Firefox's own otherwise (WebGL included), so a page gets the backend a
 * reader's Firefox would give it on this machine.
 */
export async function launchFirefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  return puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
    headless: true,
    timeout: 60000,
  });
}

export async function shutDown({ server, browser }) {
  await browser?.close();
  await server?.close();
}

/** Scrolls every ConvLab widget on the page into view in turn, a few frames each, as a reader would. */
export async function scrollThroughWidgets(page) {
  await page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    for (const el of document.querySelectorAll('[loading="lazy"]')) {
      el.scrollIntoView({ block: 'center' });
      for (let i = 0; i < 3; i++) await frame();
    }
  });
}

/**
 * Opens the course site's stress page (apps/course-site/stress.html) with a query ('' or
 * '?backend=webgl'), waits for its report and returns it with the status line and the console errors
 * and page errors seen. Used by e2e/stress.test.mjs and the bench's site suite.
 */
export async function openStressPage(browser, base, query = '', timeout = 300000) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  try {
    await page.goto(new URL(`stress.html${query}`, base).href);
    await page.waitForFunction(() => document.body.dataset.ready === 'true' || window.__stress?.error, null, { timeout });
    const r = await page.evaluate(() => window.__stress);
    const status = await page.locator('#stress-status').textContent();
    return { r, status, problems };
  } finally {
    await page.close();
  }
}
