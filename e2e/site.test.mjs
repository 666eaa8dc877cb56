// End-to-end: the built course site in Debian Chromium through playwright-core. Every page reaches
// its first result (body[data-ready]) with no console error and no failed request; a screenshot of
// each is kept under test-output/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { serveAndLaunch, shutDown, scrollThroughWidgets } from './harness.mjs';
import { readWidgets } from '../scripts/widgets.mjs';

const widgets = readWidgets();

const out = join(root, 'test-output', 'e2e');
mkdirSync(out, { recursive: true });
let server, browser, base;

before(async () => {
  ({ server, browser, base } = await serveAndLaunch({ root: join(root, 'apps/course-site') }));
});
after(() => shutDown({ server, browser }));

async function open(path) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // A request cancelled because its frame navigated away (net::ERR_ABORTED) is not a failure.
  page.on('requestfailed', (r) => r.failure()?.errorText !== 'net::ERR_ABORTED' && problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  // Offline: the built site needs nothing beyond its own origin (models, samples, WASM are assets).
  await page.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname) && !url.protocol.startsWith('data') && !url.protocol.startsWith('blob'), (route) => {
    problems.push(`request outside the site: ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(new URL(path, base).href);
  return { page, problems };
}

/**
 * Pastes an iframe snippet into a page with no script (as an LMS does: no embed.js), 760px wide, and
 * returns the iframe's height and its page's content height once the widget has its first result.
 */
async function pasteSnippet(snippet) {
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(`<body style="margin:0"><div style="width:760px">${snippet.replace(/https:\/\/YOUR-HOST\//g, base)}</div></body>`);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
  await page.waitForTimeout(300);
  const frameHeight = await page.evaluate(() => document.querySelector('iframe').getBoundingClientRect().height);
  const contentHeight = await frame.evaluate(() => Math.ceil(document.documentElement.scrollHeight));
  await page.close();
  assert.deepEqual(errors, []);
  return { frameHeight, contentHeight };
}

// The lecture's text: every formula rendered as MathML, sections 3-5 written out with their questions, no
// custom element that nothing defines, headings in order (no level skipped).
async function checkLectureText(page) {
  const formulas = await page.evaluate(() =>
    [...document.querySelectorAll('[data-tex], [data-tex-display]')].map((el) => ({
      tex: el.getAttribute('data-tex') ?? el.getAttribute('data-tex-display'),
      math: !!el.querySelector('math'),
      error: !!el.querySelector('.katex-error'),
    })),
  );
  assert.ok(formulas.length >= 40, `${formulas.length} formulas`);
  assert.deepEqual(formulas.filter((f) => !f.math || f.error).map((f) => f.tex), [], 'every formula is MathML');
  for (const [id, heading, display, tex] of [
    ['style', 'Neural style transfer', 4, 'G^l_{ij} = \\sum_k F^l_{ik} F^l_{jk}'],
    ['detection', 'Detection', 5, 't_w = \\log\\frac{w}{w_a}'],
    ['segmentation', 'Segmentation', 4, 'n_{\\text{out}} = (n - 1)\\, s - 2p + k'],
  ]) {
    const section = page.locator(`main > section#${id}`);
    assert.equal(await section.count(), 1, `section #${id}`);
    assert.equal(await page.locator(`nav a[href="#${id}"]`).count(), 1, `a link to #${id}`);
    assert.match(await section.locator('h2').textContent(), new RegExp(heading));
    const blocks = section.locator('.formula > .katex > math[display="block"]');
    assert.ok((await blocks.count()) >= display, `#${id}: ${await blocks.count()} display formulas`);
    const found = await section.evaluate((el, t) => [...el.querySelectorAll('.formula')].filter((f) => f.getAttribute('data-tex-display')?.includes(t) && f.querySelector('math')).length, tex);
    assert.equal(found, 1, `#${id}: ${tex} as MathML`);
    // A section whose widget has landed shows it live; the others still say it is coming.
    const live = await section.evaluate((el) => [...el.querySelectorAll('*')].some((n) => n.localName.includes('-') && customElements.get(n.localName)));
    if (live) assert.equal(await section.locator('.widget-note').count(), 0, `#${id}: a live widget and no "coming" note`);
    else assert.match(await section.locator('.widget-note').textContent(), /Live widget: coming in a later release/);
    const questions = section.locator('.questions details');
    const n = await questions.count();
    assert.ok(n >= 2 && n <= 4, `#${id}: ${n} questions`);
    for (let i = 0; i < n; i++) {
      const q = questions.nth(i);
      assert.ok(((await q.locator('summary').textContent()) ?? '').trim().length > 10, `#${id}: question ${i + 1} has a summary`);
      assert.equal(await q.evaluate((el) => el.open), false, `#${id}: answer ${i + 1} starts hidden`);
      assert.equal(await q.locator('p').first().isVisible(), false);
    }
  }
  // An answer appears on a click.
  const anchors = page.locator('#detection .questions details').filter({ hasText: '40 × 60' });
  await anchors.locator('summary').click();
  assert.ok(await anchors.locator('p').isVisible());
  assert.match(await anchors.locator('p').textContent(), /21,600/);
  await anchors.locator('summary').click();
  const undefinedTags = await page.evaluate(() =>
    [...new Set([...document.querySelectorAll('*')].map((el) => el.localName))].filter((t) => t.includes('-') && !customElements.get(t)),
  );
  assert.deepEqual(undefinedTags, [], 'no custom element tag without a definition');
  const levels = await page.evaluate(() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1])));
  assert.equal(levels[0], 1);
  levels.forEach((l, i) => i && assert.ok(l <= levels[i - 1] + 1, `heading ${i + 1} skips from h${levels[i - 1]} to h${l}`));
}

test('the first page shows a sample photo as a tensor, with no console error', async () => {
  const { page, problems } = await open('index.html');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
  const shape = await page.textContent('#shape');
  assert.match(shape, /^\[1, \d+, \d+, 3\]$/);
  // The brightness view really painted: its canvas has non-uniform pixels.
  const distinct = () =>
    page.evaluate(() => {
      const canvas = document.querySelector('#lum').shadowRoot.querySelector('canvas');
      const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      return new Set(Array.from({ length: 200 }, (_, i) => d[Math.floor((i / 200) * (d.length / 4)) * 4])).size;
    });
  const deadline = Date.now() + 30000;
  while ((await distinct()) <= 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok((await distinct()) > 5, `the brightness canvas looks blank`);
  // The backend is named in a few words; the reason (the graphics driver's name) waits behind the
  // status's small (i), which is there when the page runs without a GPU.
  const reason = await page.evaluate(() => document.getElementById('status').backend?.reason ?? '');
  assert.ok(reason.length > 0, 'the status knows the backend and its reason');
  const text = await page.evaluate(() => document.body.innerText);
  assert.ok(!text.includes(reason), `the page prints the backend's reason: ${reason}`);
  assert.match(await page.textContent('#backend'), /^TensorFlow\.js backend: \w+\.$/);
  if ((await page.evaluate(() => document.getElementById('status').backend.name)) !== 'webgl') {
    await page.locator('#status summary').click();
    assert.ok((await page.locator('#status details.backend').textContent()).includes(reason), 'the (i) says why');
  }
  await page.screenshot({ path: join(out, 'index.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the lecture page: formulas, the FGSM demo reacts to its slider, dark theme, no console error', async () => {
  const { page, problems } = await open('lecture.html');
  // Widgets start when they near the viewport (loading="lazy"): the first one has, the last has not.
  await page.waitForFunction(() => document.querySelector('#filters').hasUpdated);
  assert.equal(await page.evaluate(() => document.querySelector('#fcn').hasUpdated), false, 'the last widget waits below the fold');
  assert.equal(await page.getAttribute('#fcn', 'data-waiting'), '');
  // A reader scrolling down the page: each widget starts as it comes near.
  await scrollThroughWidgets(page);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  // The worked linear example reached its result: the slide's x and w give w·x = -2, and eps = 0.1 adds 0.1 · ||w||_1 = 1.
  await page.waitForFunction(() => /σ\(-1\) = 0\.2689/.test(document.querySelector('#linear')?.shadowRoot?.textContent ?? ''));
  const linear = await page.locator('#linear').evaluate((el) => el.shadowRoot.textContent.replace(/\s+/g, ' '));
  assert.match(linear, /σ\(-2\) = 0\.1192/);
  assert.match(linear, /σ\(-1\) = 0\.2689/);
  await checkLectureText(page);
  await page.click('#theme-toggle');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  assert.equal(await page.getAttribute('#fgsm', 'theme'), 'dark');
  assert.equal(await page.getAttribute('#occlusion', 'theme'), 'dark');
  await page.screenshot({ path: join(out, 'lecture-dark.png') });
  await page.click('#theme-toggle');
  assert.ok((await page.locator('math').count()) >= 5, 'formulas are rendered as MathML');
  const readout = () => page.locator('#fgsm .readout').textContent();
  assert.match(await readout(), /= 0\.100/);
  // Drag the epsilon slider with the mouse, as a student would.
  const range = page.locator('#fgsm convlab-slider input[type="range"]');
  await range.scrollIntoViewIfNeeded();
  const box = await range.boundingBox();
  await page.mouse.move(box.x + 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => !document.querySelector('#fgsm').shadowRoot.querySelector('.readout').textContent.includes('= 0.100'));
  assert.match(await readout(), /= 0\.[2-4]\d\d/);
  await page.screenshot({ path: join(out, 'lecture.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

// Every widget in widgets.json has an embed page that reaches its first result; these add a query and
// check that the widget took it.
const embedChecks = {
  'fgsm-demo': ['?epsilon=0.2&sample=3&controls=epsilon', async (page) => {
    assert.equal(await page.getAttribute('fgsm-demo', 'epsilon'), '0.2');
    assert.equal(await page.getAttribute('fgsm-demo', 'controls'), 'epsilon');
  }],
  'occlusion-map': ['?sample=3&patch=7&stride=7&fill=black', async (page) => {
    assert.equal(await page.getAttribute('occlusion-map', 'fill'), 'black');
    assert.match(await page.locator('occlusion-map').evaluate((el) => el.shadowRoot.textContent), /4×4 positions/);
  }],
  'fgsm-linear': ['?epsilon=0.3', async (page) => {
    assert.match(await page.locator('fgsm-linear').evaluate((el) => el.shadowRoot.textContent), /0\.7311/);
  }],
};
for (const { tag } of widgets) {
  const [query, check] = embedChecks[tag] ?? ['', async (page) => assert.equal(await page.locator(tag).count(), 1)];
  test(`the embed page for <${tag}> takes attributes from its query, under a strict CSP`, async () => {
    const { page, problems } = await open(`embed/${tag}.html${query}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    const header = (await page.request.get(page.url())).headers()['content-security-policy'];
    assert.equal(header, csp, 'the server sends the same policy as a header');
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
    assert.doesNotMatch(scriptSrc, /'unsafe-eval'|'unsafe-inline'/);
    assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script');
    await check(page);
    await page.screenshot({ path: join(out, `embed-${tag}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('an embed page loads the image an instructor points src at over HTTPS, under its CSP', async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const problems = [];
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // The "remote host" is played by this route: the request only reaches it if the CSP lets it out.
  const photo = await (await fetch(new URL('photos/chelsea.jpg', base))).arrayBuffer();
  let served = 0;
  await page.route('https://images.example.org/**', (route) => {
    served++;
    return route.fulfill({ status: 200, contentType: 'image/jpeg', body: Buffer.from(photo), headers: { 'access-control-allow-origin': '*' } });
  });
  await page.goto(new URL('embed/occlusion-map.html?src=https://images.example.org/cat.jpg&patch=8&stride=4', base).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
  assert.equal(served, 1, 'the image was fetched from the URL the instructor set');
  assert.match(await page.locator('occlusion-map').evaluate((el) => el.shadowRoot.querySelector('.readout').textContent), /Unoccluded/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('an embed page in a sandboxed iframe sizes itself through embed.js', async () => {
  const { page, problems } = await open('index.html');
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.src = './embed.js';
    document.body.append(s);
    const f = document.createElement('iframe');
    f.id = 'lms';
    f.setAttribute('sandbox', 'allow-scripts allow-same-origin');
    f.src = './embed/fgsm-demo.html?sample=1&epsilon=0.1';
    f.style.width = '900px';
    document.body.prepend(f);
  });
  await page.waitForFunction(() => document.getElementById('lms').getBoundingClientRect().height > 300, null, { timeout: 120000 });
  const frame = page.frameLocator('#lms');
  await frame.locator('body[data-ready="true"]').waitFor({ timeout: 120000 });
  const [frameHeight, contentHeight] = await page.evaluate(() => {
    const f = document.getElementById('lms');
    return [f.clientHeight, Math.ceil(f.contentDocument.documentElement.getBoundingClientRect().height)];
  });
  assert.ok(Math.abs(frameHeight - contentHeight) <= 2, `iframe ${frameHeight}px, content ${contentHeight}px`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('slides: a click inside the scaled reveal.js deck lands on the aimed cell', async () => {
  const { page, problems } = await open('slides.html');
  await page.setViewportSize({ width: 900, height: 640 }); // reveal scales the 1280x860 slide down
  // The widgets are loading="lazy": on the title slide only the next slides' widgets have started.
  await page.waitForFunction(() => window.deck?.isReady());
  await page.waitForFunction(() => document.querySelector('#filters').hasUpdated);
  assert.equal(await page.evaluate(() => document.querySelector('#fcn').hasUpdated), false, "the last slide's widget waits");
  // A presenter paging through the deck once: each widget starts as its slide comes near.
  const slides = await page.evaluate(() => window.deck.getTotalSlides());
  for (let h = 0; h < slides; h++) {
    await page.evaluate((i) => window.deck.slide(i), h);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  await page.evaluate(() => window.deck.slide(0));
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
  // Slides are found by the widget they hold, so new slides before them do not break the test.
  const slideOf = (sel) => page.evaluate((q) => window.deck.getIndices(document.querySelector(q).closest('section')).h, sel);
  const occlusionSlide = await slideOf('#occlusion');
  const fgsmSlide = await slideOf('#fgsm');
  await page.evaluate((h) => window.deck.slide(h), occlusionSlide);
  const scale = await page.evaluate(() => window.deck.getScale());
  assert.ok(scale < 0.9, `the deck is scaled (${scale})`);
  const canvas = page.locator('#occlusion canvas.map');
  const box = await canvas.boundingBox();
  // Aim at the centre of the patch whose corner is (row 12, col 6): image pixel (15, 9) of 28.
  const x = box.x + (9.5 / 28) * box.width;
  const y = box.y + (15.5 / 28) * box.height;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('#occlusion').shadowRoot.querySelector('figure.detail figcaption'));
  const caption = await page.locator('#occlusion').evaluate((el) => el.shadowRoot.querySelector('figure.detail figcaption').textContent);
  assert.match(caption, /row 12, column 6/);
  await page.screenshot({ path: join(out, 'slides-occlusion.png') });
  // The FGSM slide: dragging its slider in the scaled deck changes epsilon.
  await page.evaluate((h) => window.deck.slide(h), fgsmSlide);
  const range = page.locator('#fgsm convlab-slider input[type="range"]');
  const rb = await range.boundingBox();
  await page.mouse.click(rb.x + rb.width * 0.5, rb.y + rb.height / 2);
  await page.waitForFunction(() => Math.abs(document.querySelector('#fgsm').epsilon - 0.25) < 0.02);
  await page.screenshot({ path: join(out, 'slides-fgsm.png') });
  // Keys inside a widget are the widget's: ArrowRight on the focused slider steps epsilon, not the deck.
  const before = await page.evaluate(() => document.querySelector('#fgsm').epsilon);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((b) => document.querySelector('#fgsm').epsilon > b, before);
  assert.equal(await page.evaluate(() => window.deck.getIndices().h), fgsmSlide, 'still on the FGSM slide');
  // Outside the widgets the arrow keys turn slides as usual.
  await page.mouse.click(5, 5);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((h) => window.deck.getIndices().h === h + 1, fgsmSlide);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a page with no build step uses every widget from cdn/convlab.js', async () => {
  const { page, problems } = await open('cdn-example.html');
  await page.waitForFunction(
    () =>
      document.querySelector('#fgsm')?.shadowRoot?.querySelector('.readout') &&
      /Unoccluded/.test(document.querySelector('#occlusion')?.shadowRoot?.querySelector('.readout')?.textContent ?? ''),
    null,
    { timeout: 120000 },
  );
  const scripts = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'script' || e.name.endsWith('.js')).map((e) => new URL(e.name).pathname));
  assert.deepEqual(scripts, ['/cdn/convlab.js'], 'one script and nothing else');
  await page.screenshot({ path: join(out, 'cdn-example.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the snippet builder writes an iframe snippet whose page shows the chosen settings', async () => {
  const { page, problems } = await open('builder.html');
  // Hold the model weights: the preview stays loading until they are let through.
  let release;
  const held = new Promise((r) => (release = r));
  await page.route('**/assets/weights-*.bin', async (route) => {
    await held;
    await route.continue();
  });
  await page.waitForSelector('body[data-ready="true"]');
  // Every widget's full name shows in the drop-down (grouped by topic) on a desktop. (On a phone the
  // system's picker shows the options in full; the page's own fit is checked below.)
  for (const width of [1200]) {
    await page.setViewportSize({ width, height: 800 });
    const cut = await page.locator('#widget').evaluate((select) => {
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = getComputedStyle(select).font;
      const room = select.clientWidth - 32; // the arrow and the padding
      return [...select.options].filter((o) => ctx.measureText(o.text).width > room).map((o) => `${o.text} (${Math.ceil(ctx.measureText(o.text).width)}px > ${room}px)`);
    });
    assert.deepEqual(cut, [], `names cut off at ${width}px`);
  }
  await page.setViewportSize({ width: 1200, height: 900 });
  const options = await page.locator('#widget option').evaluateAll((os) => os.map((o) => [o.value, o.text]));
  assert.deepEqual(options.sort(), widgets.map((w) => [w.tag, w.title]).sort(), 'one option per widget in widgets.json, with its full title');
  await page.selectOption('#widget', 'occlusion-map');
  // Descriptions read as written: `code` in the manifest is code here, with no backticks left.
  const hints = await page.locator('#attributes .hint').allTextContents();
  assert.ok(hints.length > 3 && hints.every((h) => !h.includes('`')), 'no backtick shows in the hints');
  assert.ok((await page.locator('#attributes .hint code').count()) >= 1, 'code spans are <code>');
  // While the preview loads, the snippet offers the widget's usual height (widgets.json), not the
  // loading page's height.
  const usual = widgets.find((w) => w.tag === 'occlusion-map').height;
  await page.waitForTimeout(1500);
  assert.equal(await page.inputValue('#height'), String(usual));
  assert.match(await page.textContent('#height-status'), /Waiting for the preview's first result/);
  assert.match(await page.inputValue('#iframe-snippet'), new RegExp(`style="width:100%;height:${usual}px;border:0"`));
  release();
  await page.fill('#attr-patch', '7');
  await page.fill('#attr-stride', '7');
  await page.selectOption('#attr-fill', 'black');
  await page.check('#attr-presenter');
  const snippet = await page.inputValue('#iframe-snippet');
  assert.match(snippet, /<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\/occlusion-map\.html\?patch=7&amp;stride=7&amp;fill=black&amp;presenter=true"/);
  assert.match(snippet, /sandbox="allow-scripts allow-same-origin"/);
  const element = await page.inputValue('#element-snippet');
  assert.match(element, /<occlusion-map patch="7" stride="7" fill="black" presenter><\/occlusion-map>/);
  assert.match(element, /cdn\/convlab\.js/);
  const frame = page.frameLocator('#preview');
  // The preview reloads 250 ms after the last change: wait for the page with all the new settings (the
  // page loaded before the change may already be ready, and on a loaded machine one with only some of
  // them: fill chosen, presenter not yet ticked).
  await frame.locator('body[data-ready="true"] occlusion-map[fill="black"][presenter]').waitFor({ timeout: 120000 });
  assert.equal(await frame.locator('occlusion-map').getAttribute('fill'), 'black');
  assert.equal(await frame.locator('occlusion-map').getAttribute('presenter'), '');
  // The suggested height follows the preview page's own height.
  const contentHeight = await frame.locator('html').evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
  await page.waitForFunction((h) => Math.abs(Number(document.getElementById('height').value) - (h + 16)) <= 2, contentHeight);
  assert.match(await page.inputValue('#iframe-snippet'), new RegExp(`style="width:100%;height:${await page.inputValue('#height')}px;border:0"`));
  assert.match(await page.textContent('#height-status'), /Measured from the preview/);
  // Pasted into a page with no script, the snippet shows the whole widget; the builder says what embed.js adds.
  const pasted = await pasteSnippet(await page.inputValue('#iframe-snippet'));
  assert.ok(pasted.contentHeight <= pasted.frameHeight, `the widget is ${pasted.contentHeight}px tall, the iframe ${pasted.frameHeight}px`);
  assert.match(await page.textContent('#embed-js-note'), /<script src="http:\/\/127\.0\.0\.1:\d+\/embed\.js"><\/script>.*height/s);
  await page.click('[data-copy="iframe-snippet"]');
  await page.waitForFunction(() => /copied/.test(document.getElementById('copied').textContent));
  await page.screenshot({ path: join(out, 'builder.png'), fullPage: true });
  // Nothing sticks out of its column on a desktop, and the page fits a phone's width.
  const widget = await page.locator('#widget').boundingBox();
  const settings = await page.locator('#widget').evaluate((el) => el.closest('.builder > *').getBoundingClientRect().right);
  assert.ok(widget.x + widget.width <= settings + 1, 'the widget select stays in its column');
  await page.setViewportSize({ width: 390, height: 800 });
  const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scrollWidth <= innerWidth, `the builder fits a 390px screen (${scrollWidth}px wide)`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the server answers 404 for a missing file, and a missing embed page says which ones exist', async () => {
  for (const path of ['nope.html', 'models/nope/model.json', 'photos/nope.jpg', 'assets/nope.js', 'embed/nope.html']) {
    const res = await fetch(new URL(path, base));
    assert.equal(res.status, 404, `${path}: HTTP ${res.status} (${res.headers.get('content-type')})`);
    const body = await res.text();
    assert.doesNotMatch(body, /<fgsm-demo|ConvLab: convolutional networks/, `${path} is not the home page`);
  }
  const res = await fetch(new URL('embed/nope.html?sample=3', base));
  const text = await res.text();
  assert.match(text, /no widget called .?nope/i);
  for (const { tag } of widgets) assert.match(text, new RegExp(`href="[^"]*${tag}\\.html"`), `the page links to ${tag}`);
  for (const path of ['', 'lecture.html', 'lecture', 'embed/fgsm-demo.html']) assert.equal((await fetch(new URL(path, base))).status, 200, `${path} is served`);
  assert.match(await (await fetch(base)).text(), /ConvLab: convolutional networks/, 'the home page');
});

test('embed pages are light by default, even in dark mode; theme=dark and theme=auto choose', async () => {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  };
  for (const [scheme, query, want] of [
    ['dark', '', 'light'],
    ['dark', '?theme=light', 'light'],
    ['light', '?theme=dark', 'dark'],
    ['dark', '?theme=auto', 'dark'],
    ['light', '?theme=auto', 'light'],
  ]) {
    const page = await browser.newPage({ colorScheme: scheme, viewport: { width: 800, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL(`embed/fgsm-linear.html${query}`, base).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
    const [pageBg, widgetBg] = await page.evaluate(() => [
      getComputedStyle(document.documentElement).backgroundColor,
      getComputedStyle(document.querySelector('fgsm-linear')).backgroundColor,
    ]);
    // A transparent page background shows the canvas colour: white in a light color-scheme.
    const pageLight = pageBg === 'rgba(0, 0, 0, 0)' ? (await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)) !== 'dark' : luminance(pageBg) > 0.5;
    assert.equal(pageLight ? 'light' : 'dark', want, `system ${scheme}, ${query || 'no theme'}: page background ${pageBg}`);
    assert.equal(luminance(widgetBg) > 0.5 ? 'light' : 'dark', want, `system ${scheme}, ${query || 'no theme'}: widget background ${widgetBg}`);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('every iframe snippet in the README and the docs shows its whole widget with no script, and says what embed.js adds', async () => {
  for (const file of ['README.md', 'docs/welcome.mdx']) {
    const text = readFileSync(join(root, file), 'utf8');
    const snippets = text.match(/<iframe[\s\S]*?<\/iframe>/g) ?? [];
    assert.ok(snippets.length >= 1, `${file} shows an iframe snippet`);
    assert.match(text, /embed\.js[^]*?height/, `${file} says what embed.js adds`);
    for (const snippet of snippets) {
      assert.match(snippet, /style="width:100%;height:\d+px;border:0"/, `${file}: ${snippet}`);
      const { frameHeight, contentHeight } = await pasteSnippet(snippet);
      assert.ok(contentHeight <= frameHeight, `${file}: the widget is ${contentHeight}px tall, the iframe ${frameHeight}px: ${snippet}`);
    }
  }
});

test("each widget's height in widgets.json shows it whole in a 760px-wide iframe with no script", async () => {
  const wrong = [];
  for (const w of widgets) {
    const { frameHeight, contentHeight } = await pasteSnippet(`<iframe src="${new URL(`embed/${w.tag}.html`, base)}" title="${w.title}" style="width:100%;height:${w.height}px;border:0"></iframe>`);
    assert.equal(frameHeight, w.height);
    if (contentHeight > frameHeight) wrong.push(`<${w.tag}> is ${contentHeight}px tall; widgets.json gives ${w.height}px`);
    else if (w.height - contentHeight > 200) wrong.push(`<${w.tag}>: ${w.height}px leaves ${w.height - contentHeight}px empty`);
  }
  assert.deepEqual(wrong, []);
});
