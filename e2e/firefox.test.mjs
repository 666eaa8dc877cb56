// End-to-end in a second browser: Debian's Firefox ESR, driven by puppeteer-core over WebDriver BiDi
// (no browser download). Every embed page of the built course site (one per widget in widgets.json,
// served with its Content-Security-Policy header) reaches its first result (body[data-ready], set on
// the widget's readyEvent) with no console error, no uncaught error, no CSP violation and no failed
// request, on whichever TF.js backend Firefox gets here. Prints a table (widget, backend, time to
// the first result) and keeps a screenshot of each page under test-output/e2e/firefox-<tag>.png.
// The pages are visited one after another in one browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { root, firefoxPlan } from '../scripts/lib.mjs';
import { serve, launchFirefox, shutDown } from './harness.mjs';
import { readWidgets } from '../scripts/widgets.mjs';

const widgets = readWidgets();
const out = join(root, 'test-output', 'e2e');
mkdirSync(out, { recursive: true });
const READY_TIMEOUT = 120000;

let server, browser, base, version;
const rows = [];
const t0 = Date.now();

before(async () => {
  // No Firefox: every test below fails with what to install (npm test installs it as root).
  const plan = firefoxPlan({ firefoxPath: process.env.FIREFOX_PATH, exists: existsSync, isRoot: false, hasAptGet: false });
  if (plan.action !== 'use') throw new Error(plan.message);
  ({ server, base } = await serve({ root: join(root, 'apps/course-site') }));
  browser = await launchFirefox();
  version = await browser.version();
});

after(async () => {
  await shutDown({ server, browser });
  if (!rows.length) return;
  const lines = [
    `Firefox pass: ${version}, ${rows.length} embed pages, ${((Date.now() - t0) / 1000).toFixed(0)} s in all`,
    `  ${'widget'.padEnd(20)} ${'backend'.padEnd(8)} ${'first result (ms)'.padStart(17)} ${'status ready (ms)'.padStart(17)}`,
    ...rows.map((r) => `  ${r.tag.padEnd(20)} ${r.backend.padEnd(8)} ${String(r.ms).padStart(17)} ${String(r.settled).padStart(17)}`),
    '  (ms since the navigation started; status ready: when every <convlab-status> of the widget left loading)',
  ];
  const reason = rows.find((r) => r.reason)?.reason;
  if (reason) lines.push(`  why that backend: ${reason}`);
  console.log(lines.join('\n'));
});

/**
 * Opens a page of the site in a new tab and collects its problems: console errors, uncaught errors,
 * CSP violations (logged as console errors by a listener that runs before the page's scripts),
 * failed requests, HTTP errors and requests that leave the site. Also notes, in the page, when
 * body[data-ready] is set (ms since the navigation started).
 */
async function open(path) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  const problems = [];
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.ready === 'true') {
        window.__convlabReadyMs = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
  });
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // A request cancelled because its page moved on is not a failure (Firefox: NS_BINDING_ABORTED).
  page.on('requestfailed', (r) => !/ABORTED/.test(r.failure()?.errorText ?? '') && problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (['http:', 'https:'].includes(url.protocol) && !['127.0.0.1', 'localhost'].includes(url.hostname)) problems.push(`request outside the site: ${r.url()}`);
  });
  const response = await page.goto(new URL(path, base).href);
  return { page, problems, response };
}

/** Waits until `problems` has at least n entries (events arrive over the socket after the page acts). */
async function settle(problems, n, ms = 5000) {
  const end = Date.now() + ms;
  while (problems.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

test('Firefox: the listeners catch a console error, an uncaught error and a CSP violation (the pass can fail)', async () => {
  const { page, problems } = await open('embed/fgsm-linear.html');
  await page.waitForSelector('body[data-ready="true"]', { timeout: READY_TIMEOUT });
  assert.deepEqual(problems, [], 'a clean page first');
  await page.evaluate(() => {
    console.error('self-check: console.error');
    setTimeout(() => {
      throw new Error('self-check: thrown');
    });
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
  });
  await settle(problems, 3);
  assert.ok(problems.some((p) => p.startsWith('console:') && p.includes('self-check: console.error')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('page error:') && p.includes('self-check: thrown')), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('CSP violation: script-src')), problems.join('\n'));
  assert.equal(await page.evaluate(() => window.__inline), undefined, 'the inline script was blocked');
  // What Firefox's WebGL says on this machine: told, not asserted (a machine with a GPU gives a context).
  const webgl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    const why = [];
    canvas.addEventListener('webglcontextcreationerror', (e) => why.push(e.statusMessage));
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (!gl) return `no WebGL context: ${why.join(' | ').replace(/\s+/g, ' ').trim() || 'no reason given'}`;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return `WebGL on ${gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)}`;
  });
  console.log(`Firefox ${version}: ${webgl}`);
  await page.close();
});

for (const { tag, readyEvent } of widgets) {
  test(`Firefox: the embed page for <${tag}> reaches its first result${readyEvent ? ` (${readyEvent})` : ''} with no console error`, { timeout: READY_TIMEOUT + 30000 }, async () => {
    const started = Date.now();
    const { page, problems, response } = await open(`embed/${tag}.html`);
    // The same policy as a header and as a <meta>: Firefox enforces it as Chromium does.
    const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content);
    assert.match(csp ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
    assert.equal(response.headers()['content-security-policy'], csp, 'the server sends the policy as a header');
    await page.waitForSelector('body[data-ready="true"]', { timeout: READY_TIMEOUT });
    const wall = Date.now() - started;
    const state = await page.evaluate((t) => {
      const info = globalThis[Symbol.for('convlab.tensor.v1')]?.info;
      const el = document.querySelector(t);
      return {
        ms: window.__convlabReadyMs,
        backend: info?.name,
        reason: info?.reason,
        rendered: Boolean(el?.shadowRoot?.innerHTML.trim()),
        error: document.querySelector('.embed-error')?.textContent ?? '',
      };
    }, tag);
    assert.equal(state.error, '', 'the embed page shows no error');
    // Then the widget's own status lines (<convlab-status>, in its shadow tree) leave 'loading': for a
    // widget whose readyEvent is null (its first render counts as ready) this is when its work is set
    // up, e.g. gram-style's encoder. None may end in 'error'.
    const settled = await page.waitForFunction(
      (t) => {
        const states = [];
        const walk = (root) => {
          for (const el of root.querySelectorAll('*')) {
            if (el.localName === 'convlab-status') states.push(el.getAttribute('state') ?? 'ready');
            if (el.shadowRoot) walk(el.shadowRoot);
          }
        };
        const el = document.querySelector(t);
        if (el?.shadowRoot) walk(el.shadowRoot);
        return states.includes('loading') ? false : { ms: performance.now(), states };
      },
      { timeout: READY_TIMEOUT, polling: 100 },
      tag,
    );
    const { ms: settledMs, states } = await settled.jsonValue();
    assert.ok(!states.includes('error'), `a status of <${tag}> shows an error: ${states.join(', ')}`);
    assert.ok(state.rendered, `<${tag}> rendered into its shadow root`);
    // A widget that computes has a backend, and none failed to start on the way to it.
    if (state.backend) assert.doesNotMatch(state.reason, /failed to start/, `backend ${state.backend}: ${state.reason}`);
    else assert.equal(readyEvent, null, `<${tag}> waits for ${readyEvent} but no TF.js backend was set up`);
    await page.screenshot({ path: join(out, `firefox-${tag}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    rows.push({ tag, backend: state.backend ?? '(none)', reason: state.reason, ms: Math.round(state.ms ?? wall), settled: states.length ? Math.round(settledMs) : '' });
    await page.close();
  });
}
