import { expect } from '@open-wc/testing';
import meta, * as stories from '../stories/scenes.stories.js';

// Renders every story of stories/scenes.stories.ts as Storybook would (render(args)), checks that it
// draws and that axe finds nothing (Storybook's a11y addon fails a story on any violation).
describe('scenes stories', () => {
  for (const [name, story] of Object.entries(stories)) {
    if (name === 'default') continue;
    it(`${name} renders canvases with descriptions and passes axe`, async () => {
      const s = story as { args?: object; render?: (a: object) => HTMLElement };
      const args = { ...meta.args, ...s.args };
      const el = (s.render ?? meta.render!)(args as never, {} as never) as HTMLElement;
      document.body.append(el);
      const canvases = el.querySelectorAll('canvas');
      expect(canvases.length).to.be.greaterThan(0);
      for (const c of canvases) {
        expect(c.width).to.be.greaterThan(0);
        expect(c.getAttribute('aria-label')).to.match(/objects on a/);
      }
      await expect(el).to.be.accessible();
      if (name === 'Playground') {
        const before = canvases[0].getAttribute('aria-label');
        el.querySelector('button')!.click();
        expect(canvases[0].getAttribute('aria-label')).to.not.equal(before);
        expect(el.querySelector('output')!.textContent).to.match(/seed 1: generated in [\d.]+ ms/);
      }
      el.remove();
    });
  }
});
