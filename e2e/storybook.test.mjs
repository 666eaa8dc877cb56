// End-to-end: the built Storybook's docs pages. Every docs page renders, with its formulas as MathML
// and its descriptions as written. (The stories are in storybook-stories.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { useStorybook, entries, visit, base } from './storybook-lib.mjs';

useStorybook();

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

/** The autodocs page's tag and its manifest declaration, when the page documents one element. */
function documented(e) {
  if (!e.tags?.includes('autodocs')) return undefined;
  const tag = /component:\s*'([\w-]+)'/.exec(readFileSync(join(root, e.importPath), 'utf8'))?.[1];
  return tag && manifests[tag] ? { tag, decl: manifests[tag] } : undefined;
}

// One visit per docs page (an autodocs page renders every story of its widget at once, so it is the
// costliest page to open): the page renders, its formulas and tables show, and, for an element's
// autodocs page, every description from its manifest reads as written.
for (const e of entries.filter((x) => x.type === 'docs')) {
  const doc = documented(e);
  test(`docs page ${e.id} renders`, async (t) => {
    let described;
    const errors = await visit(new URL(`iframe.html?id=${e.id}&viewMode=docs`, base).href, async (page) => {
      await page.waitForSelector('#storybook-docs h1', { timeout: 90000 });
      if (doc) described = await readDescriptions(page, doc);
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
    if (doc) {
      await t.test(`every description of <${doc.tag}> reads as written`, () => {
        const { texts, shown, codes } = described;
        assert.ok(texts.length > 3);
        const missing = texts.filter((x) => !shown.includes(flat(x)));
        assert.deepEqual(missing, [], `descriptions not shown as written on ${e.id}`);
        assert.doesNotMatch(shown, /\\[*_<>[\]#|~!]/, 'no escaping backslash shows');
        // A formula written in `code` is code on the page.
        const code = (doc.decl.description.match(/`([^`]+)`/g) ?? []).map((c) => c.slice(1, -1));
        for (const c of code) assert.ok(codes.includes(c), `\`${c}\` is shown as code`);
      });
    }
  });
}

async function readDescriptions(page, { decl }) {
  await page.waitForSelector('#storybook-docs table', { timeout: 90000 });
  return {
    texts: [decl.description, ...(decl.attributes ?? []).map((a) => a.description)].filter(Boolean),
    shown: flat(await page.locator('#storybook-docs').innerText()),
    codes: await page.locator('#storybook-docs code').allInnerTexts(),
  };
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
