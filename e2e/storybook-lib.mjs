// Shared by the Storybook end-to-end files (split in two so that they can run side by side): the
// built Storybook served by vite preview, Chromium, and the page visit and axe helpers.
import { before, after } from 'node:test';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { root } from '../scripts/lib.mjs';
import { serveAndLaunch, shutDown } from './harness.mjs';

const dir = join(root, 'storybook-static');
let server, browser;
export let base;
const index = existsSync(join(dir, 'index.json')) ? JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) : { entries: {} };
export const entries = Object.values(index.entries);
// axe-core, the version @storybook/addon-a11y runs (a root devDependency), injected into each story.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serves storybook-static and launches Chromium for the calling test file. */
export function useStorybook() {
  before(async () => {
    ({ server, browser, base } = await serveAndLaunch({ root, build: { outDir: 'storybook-static' } }));
  });
  after(() => shutDown({ server, browser }));
}

export async function visit(url, check) {
  const page = await browser.newPage();
  // Generous waits: an autodocs page runs every story of its widget at once (28 s on a loaded 2-core machine).
  page.setDefaultTimeout(90000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await check(page);
  await page.close();
  return errors;
}

/**
 * Runs axe-core on the story as @storybook/addon-a11y does (the page without Storybook's own
 * wrappers, the "region" rule off: a story is no page) and returns its serious and critical
 * violations as "rule-id (impact): target: help" lines; a target inside shadow roots is
 * host >>> element.
 */
export async function axeViolations(page) {
  // Wait until the widgets in the story are done loading and running (a status inside a widget's
  // shadow root says so; a story of <convlab-status> itself may stay "loading"), so axe sees the
  // settled UI. A story that never settles is checked as it is.
  await page
    .waitForFunction(
      () => {
        const busy = (root) =>
          [...root.querySelectorAll('*')].some(
            (el) => (el.localName === 'convlab-status' && root instanceof ShadowRoot && /^(loading|running)$/.test(el.getAttribute('state') ?? '')) || (el.shadowRoot && busy(el.shadowRoot)),
          );
        return !busy(document.querySelector('#storybook-root'));
      },
      null,
      { timeout: 30000, polling: 100 },
    )
    .catch(() => {});
  // Our own axe instance: the addon's lazily imported copy also sets window.axe.
  await page.addScriptTag({ content: `${axeSource}\n;window.__e2eAxe = window.axe;` });
  const violations = await page.evaluate(async () => {
    const result = await window.__e2eAxe.run(
      { include: [document.body], exclude: ['.sb-wrapper', '#storybook-docs', '#storybook-highlights-root'] },
      { resultTypes: ['violations'], rules: { region: { enabled: false } } },
    );
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ impact: n.impact, target: n.target, summary: n.failureSummary })) }));
  });
  const lines = [];
  for (const v of violations) {
    for (const n of v.nodes) {
      if (!['serious', 'critical'].includes(n.impact ?? v.impact)) continue;
      const target = n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(', ');
      lines.push(`${v.id} (${n.impact ?? v.impact}): ${target}: ${v.help}`);
    }
  }
  return lines;
}
