// Issue 20: an epsilon change must reach the screen in the frame of its input. These tests do not
// time anything (the bench does, `node bench/run.mjs --suite fgsm`): they check the things that made
// it slow, so that a wait brought back fails here.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '../src/index.js';
import type { FgsmDemo, PredictionChangeDetail } from '../src/index.js';

async function loaded(el: FgsmDemo): Promise<PredictionChangeDetail> {
  return ((await oneEvent(el, 'prediction-change')) as CustomEvent<PredictionChangeDetail>).detail;
}

function range(el: FgsmDemo): HTMLInputElement {
  return el.shadowRoot!.querySelector('convlab-slider')!.shadowRoot!.querySelector('input[type="range"]') as HTMLInputElement;
}

/** Moves the epsilon slider as a drag does: the range input's input event. */
function dragEpsilon(el: FgsmDemo, value: number): void {
  const r = range(el);
  r.value = String(value);
  r.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

function canvasPixels(el: FgsmDemo, i: number): Uint8ClampedArray {
  const c = el.shadowRoot!.querySelectorAll('convlab-tensor-canvas')[i].shadowRoot!.querySelector('canvas')!;
  return c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
}

describe('<fgsm-demo>: an epsilon change reaches the screen in its own frame', () => {
  before(async () => {
    const info = await ready();
    // WASM and CPU read tensors back without waiting for a GPU, so nothing needs a later task.
    expect(info.name).to.be.oneOf(['wasm', 'cpu']);
  });

  it("paints x' and the bars, and fires prediction-change, before any other task or frame runs", async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="70" epsilon="0.05"></fgsm-demo>`);
    await loaded(el);
    await new Promise((r) => setTimeout(r, 100));
    for (const eps of [0.3, 0.12, 0.5]) {
      let frame = false;
      let task = false;
      requestAnimationFrame(() => (frame = true));
      setTimeout(() => (task = true), 0);
      let seen: { frame: boolean; task: boolean; adv: Uint8ClampedArray; pert: Uint8ClampedArray; bars: string; detail: PredictionChangeDetail } | undefined;
      el.addEventListener(
        'prediction-change',
        (e) => {
          const bars = el.shadowRoot!.querySelectorAll('convlab-prob-bars')[1].shadowRoot!.textContent!.replace(/\s+/g, ' ');
          seen = { frame, task, adv: canvasPixels(el, 2), pert: canvasPixels(el, 1), bars, detail: (e as CustomEvent<PredictionChangeDetail>).detail };
        },
        { once: true },
      );
      dragEpsilon(el, eps);
      await new Promise((r) => setTimeout(r, 200));
      expect(seen, `prediction-change for epsilon ${eps}`).to.not.equal(undefined);
      expect(seen!.detail.epsilon).to.equal(eps);
      expect(seen!.frame, 'no animation frame was waited for').to.equal(false);
      expect(seen!.task, 'no later task (timer, readback poll) was waited for').to.equal(false);
      // What the canvases hold when the event fires is x' and the perturbation of this epsilon.
      const priv = el as unknown as { xAdv: tf.Tensor; perturbation: tf.Tensor; adv: { probs: number[] } };
      const xAdv = await priv.xAdv.data();
      let worst = 0;
      for (let k = 0; k < xAdv.length; k++) worst = Math.max(worst, Math.abs(seen!.adv[k * 4] - Math.round(xAdv[k] * 255)));
      expect(worst, "x' canvas shows this epsilon's x'").to.be.at.most(1);
      const delta = await priv.perturbation.data();
      const strongest = delta.reduce((m, v, k) => (Math.abs(v) > Math.abs(delta[m]) ? k : m), 0);
      // Full red or full blue at a pixel moved by the whole epsilon (the map spans [-eps, eps]).
      const rgb = Array.from(seen!.pert.slice(strongest * 4, strongest * 4 + 3));
      expect(rgb, 'perturbation canvas painted for this epsilon').to.deep.equal(delta[strongest] > 0 ? [103, 0, 31] : [5, 48, 97]);
      const top = seen!.detail.adversarial;
      expect(seen!.bars, "the bars for x' show its top class and confidence").to.include(`${top.label}`).and.include(`${(top.confidence * 100).toFixed(1)}%`);
    }
  });

  it('does not redraw the sample thumbnails on an epsilon change (it cost 30-40 ms per step)', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="3"></fgsm-demo>`);
    await loaded(el);
    await new Promise((r) => setTimeout(r, 100));
    expect(el.shadowRoot!.querySelector('convlab-image-picker'), 'the picker is shown by default').to.not.equal(null);
    const proto = HTMLCanvasElement.prototype;
    const original = proto.toDataURL;
    let encoded = 0;
    proto.toDataURL = function (this: HTMLCanvasElement, ...args: Parameters<HTMLCanvasElement['toDataURL']>) {
      encoded++;
      return original.apply(this, args);
    };
    try {
      for (const eps of [0.2, 0.25, 0.3]) {
        const next = oneEvent(el, 'prediction-change');
        dragEpsilon(el, eps);
        await next;
      }
    } finally {
      proto.toDataURL = original;
    }
    expect(encoded, 'thumbnails encoded during three epsilon steps').to.equal(0);
  });
});
