// End-to-end: the built Storybook's stories. Every story renders its element (defined, with a shadow
// root and no Storybook error display, no page error) and, once its widgets have settled, axe-core
// finds no serious or critical violation in it. (The docs pages are in storybook.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStorybook, entries, visit, axeViolations, base } from './storybook-lib.mjs';

useStorybook();

test('the Storybook build has stories and docs pages', () => {
  assert.ok(entries.filter((e) => e.type === 'story').length >= 10, 'at least ten stories');
  assert.ok(entries.some((e) => e.type === 'docs' && /welcome/i.test(e.id)), 'a welcome page');
});

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
