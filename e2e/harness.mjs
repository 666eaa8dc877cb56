// Shared by the end-to-end tests: a built site served by vite preview on a free port, and Debian's
// Chromium through playwright-core.
import { preview } from 'vite';
import { chromium } from 'playwright-core';
import { chromeFlags } from '../scripts/lib.mjs';

/** Serves a built site (vite preview options: root, build.outDir) and launches headless Chromium. */
export async function serveAndLaunch(config) {
  const server = await preview({ ...config, preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'silent' });
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', headless: true, args: chromeFlags() });
  return { server, browser, base: server.resolvedUrls.local[0] };
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
