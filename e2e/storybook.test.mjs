// End-to-end: the built Storybook. Every story renders its element (defined, with a shadow root and
// no Storybook error display, no page error) and, once its widgets have settled, axe-core finds no
// serious or critical violation in it; every docs page renders, with its formulas as MathML.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { root } from '../scripts/lib.mjs';
import { serveAndLaunch, shutDown } from './harness.mjs';

const dir = join(root, 'storybook-static');
let server, browser, base;
const index = existsSync(join(dir, 'index.json')) ? JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) : { entries: {} };
const entries = Object.values(index.entries);
// axe-core, the version @storybook/addon-a11y runs (a root devDependency), injected into each story.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

before(async () => {
  ({ server, browser, base } = await serveAndLaunch({ root, build: { outDir: 'storybook-static' } }));
});
after(() => shutDown({ server, browser }));

test('the Storybook build has stories and docs pages', () => {
  assert.ok(entries.filter((e) => e.type === 'story').length >= 10, 'at least ten stories');
  assert.ok(entries.some((e) => e.type === 'docs' && /welcome/i.test(e.id)), 'a welcome page');
});

async function visit(url, check) {
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
async function axeViolations(page) {
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

for (const e of entries.filter((x) => x.type === 'story')) {
  test(`story ${e.id} renders`, async (t) => {
    let axeLines;
    // a11y.manual: the addon's own axe run after each render is off; axeViolations runs it once settled.
    const errors = await visit(new URL(`iframe.html?id=${e.id}&viewMode=story&globals=a11y.manual:!true`, base).href, async (page) => {
      await page.waitForFunction(
        () => {
          const first = document.querySelector('#storybook-root')?.firstElementChild;
          return !!first && (!first.localName.includes('-') || (customElements.get(first.localName) && first.shadowRoot?.childNodes.length));
        },
        null,
        { timeout: 60000 },
      );
      const shown = await page.evaluate(() => document.body.classList.contains('sb-show-errordisplay'));
      assert.equal(shown, false, 'Storybook shows an error for this story');
      axeLines = await axeViolations(page);
    });
    assert.deepEqual(errors, []);
    await t.test('axe finds no serious or critical violation', () => {
      assert.deepEqual(axeLines, [], `axe violations in story ${e.id}:\n${axeLines.join('\n')}`);
    });
  });
}

for (const e of entries.filter((x) => x.type === 'docs')) {
  test(`docs page ${e.id} renders`, async () => {
    const errors = await visit(new URL(`iframe.html?id=${e.id}&viewMode=docs`, base).href, async (page) => {
      await page.waitForSelector('#storybook-docs h1', { timeout: 90000 });
      // MDX pages with $…$ formulas must show them as MathML (remark-math + rehype-katex).
      if (!e.importPath.endsWith('.mdx')) return;
      const src = readFileSync(join(root, e.importPath), 'utf8');
      if (/\$[^{]/.test(src)) {
        await page.waitForSelector('#storybook-docs math', { timeout: 90000 });
        assert.ok((await page.locator('#storybook-docs math').count()) >= 3, 'formulas render as MathML');
      }
      // Markdown tables (remark-gfm) render as tables, not as lines of pipes.
      const tableRows = src.split('\n').filter((l) => /^\|.*\|\s*$/.test(l) && !/^\|\s*-/.test(l)).length;
      if (tableRows) {
        const cells = await page.locator('#storybook-docs table tr').count();
        assert.ok(cells >= tableRows, `${tableRows} table rows in the MDX, ${cells} <tr> on the page`);
        assert.doesNotMatch(await page.locator('#storybook-docs').innerText(), /\|\s*---\s*\|/, 'no raw Markdown table left');
      }
    });
    assert.deepEqual(errors, []);
  });
}

// Every description from the manifests reads as written on the docs pages: no `*` lost to italics,
// no `_` to emphasis, no sign escaped twice; code spans show as code, without their backticks.
const manifests = Object.fromEntries(
  readdirSync(join(root, 'packages'))
    .filter((p) => existsSync(join(root, 'packages', p, 'custom-elements.json')))
    .flatMap((p) => JSON.parse(readFileSync(join(root, 'packages', p, 'custom-elements.json'), 'utf8')).modules.flatMap((m) => m.declarations ?? []))
    .filter((d) => d.tagName)
    .map((d) => [d.tagName, d]),
);
const flat = (s) => s.replace(/`/g, '').replace(/\s+/g, ' ').trim();

for (const e of entries.filter((x) => x.type === 'docs' && x.tags?.includes('autodocs'))) {
  const src = readFileSync(join(root, e.importPath), 'utf8');
  const tag = /component:\s*'([\w-]+)'/.exec(src)?.[1];
  if (!tag || !manifests[tag]) continue;
  test(`docs page ${e.id}: every description of <${tag}> reads as written`, async () => {
    const decl = manifests[tag];
    const texts = [decl.description, ...(decl.attributes ?? []).map((a) => a.description)].filter(Boolean);
    assert.ok(texts.length > 3);
    const errors = await visit(new URL(`iframe.html?id=${e.id}&viewMode=docs`, base).href, async (page) => {
      await page.waitForSelector('#storybook-docs h1', { timeout: 90000 });
      await page.waitForSelector('#storybook-docs table', { timeout: 90000 });
      const shown = flat(await page.locator('#storybook-docs').innerText());
      const missing = texts.filter((t) => !shown.includes(flat(t)));
      assert.deepEqual(missing, [], `descriptions not shown as written on ${e.id}`);
      assert.doesNotMatch(shown, /\\[*_<>[\]#|~!]/, 'no escaping backslash shows');
      // A formula written in `code` is code on the page.
      const code = (decl.description.match(/`([^`]+)`/g) ?? []).map((c) => c.slice(1, -1));
      const codes = await page.locator('#storybook-docs code').allInnerTexts();
      for (const c of code) assert.ok(codes.includes(c), `\`${c}\` is shown as code`);
    });
    assert.deepEqual(errors, []);
  });
}

test('the welcome page lists every widget in widgets.json', async () => {
  const { readWidgets } = await import('../scripts/widgets.mjs');
  const welcome = entries.find((e) => e.type === 'docs' && /welcome/i.test(e.id));
  const errors = await visit(new URL(`iframe.html?id=${welcome.id}&viewMode=docs`, base).href, async (page) => {
    await page.waitForSelector('#storybook-docs table', { timeout: 90000 });
    const codes = await page.locator('#storybook-docs table code').allInnerTexts();
    for (const w of readWidgets()) assert.ok(codes.includes(`<${w.tag}>`), `<${w.tag}> on the welcome page`);
  });
  assert.deepEqual(errors, []);
});

test('formulas written as `$…$` inline code or in a math fence render as MathML (docs/writing-docs.mdx)', async () => {
  const page = entries.find((e) => e.type === 'docs' && e.importPath.endsWith('writing-docs.mdx'));
  assert.ok(page, 'the page is in the index');
  const errors = await visit(new URL(`iframe.html?id=${page.id}&viewMode=docs`, base).href, async (p) => {
    await p.waitForSelector('#storybook-docs math', { timeout: 90000 });
    const found = await p.evaluate(() => {
      const docs = document.querySelector('#storybook-docs');
      return {
        block: docs.querySelectorAll('math[display="block"]').length,
        inline: [...docs.querySelectorAll('math:not([display="block"])')].map((m) => m.querySelector('annotation')?.textContent ?? ''),
        rawCode: [...docs.querySelectorAll('code')].map((c) => c.textContent).filter((t) => /^\$.*\$$/.test(t) || /\\frac/.test(t)),
      };
    });
    assert.ok(found.block >= 1, 'the math fence is displayed math');
    assert.ok(found.inline.some((t) => t.includes('\\frac{\\partial L}{\\partial x}')), `inline code between dollars is a formula (${found.inline.join(' | ')})`);
    assert.deepEqual(found.rawCode, [], 'no formula left as code');
  });
  assert.deepEqual(errors, []);
});
