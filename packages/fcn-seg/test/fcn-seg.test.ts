import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf, receptiveField, countRegions, mergedObjects, multiplyAdds, fcnLayers } from '@convlab/tensor';
import { scene } from '@convlab/scenes';
import '../src/index.js';
import { FcnSeg, type PixelSelectDetail, type SegmentationChangeDetail } from '../src/index.js';

const noticeText = (el: FcnSeg) =>
  [...el.shadowRoot!.querySelectorAll('convlab-notice')].map((n) => n.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim()).join(' ').trim();
const side = (el: FcnSeg) => el.shadowRoot!.querySelector('.side')!.textContent!.replace(/\s+/g, ' ');
const settle = async (el: FcnSeg) => {
  for (let i = 0; i < 4; i++) {
    await el.updateComplete;
    await el.computed;
  }
  await el.updateComplete;
};

/** An <fcn-seg> with these attributes, once its first class map is out. */
async function seg(attrs: Record<string, string> = {}): Promise<{ el: FcnSeg; detail: SegmentationChangeDetail }> {
  const el = document.createElement('fcn-seg') as FcnSeg;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  const e = oneEvent(el, 'segmentation-change');
  (await fixture(html`<div></div>`)).append(el);
  const detail = ((await e) as CustomEvent<SegmentationChangeDetail>).detail;
  await settle(el);
  return { el, detail };
}

function pngFile(name: string): Promise<File> {
  const c = document.createElement('canvas');
  c.width = c.height = 40;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#345';
  ctx.fillRect(0, 0, 40, 40);
  ctx.fillStyle = '#fc0';
  ctx.fillRect(8, 8, 20, 20);
  return new Promise((r) => c.toBlob((b) => r(new File([b!], name, { type: 'image/png' })), 'image/png'));
}

describe('<fcn-seg>', () => {
  before(async () => {
    await ready();
  });

  it('semantic view: the class map of a scene, its ground truth, per-class IoU and mean IoU; event once with typed detail; axe clean', async () => {
    let events = 0;
    const count = () => events++;
    document.addEventListener('segmentation-change', count);
    const { el, detail } = await seg({ seed: '11' });
    await new Promise((r) => setTimeout(r, 100));
    document.removeEventListener('segmentation-change', count);
    expect(events).to.equal(1);
    const s = scene(11);
    expect(detail.model).to.equal('encoder-decoder');
    expect(detail.seed).to.equal(11);
    expect(detail.origin).to.equal('scene');
    expect(detail.pixels.reduce((a, b) => a + b, 0)).to.equal(128 * 128);
    expect(detail.ms).to.be.greaterThan(0);
    // The IoU in the event is the one of the map the element shows, recomputed here by hand.
    const labels = el.labels!;
    let tp = 0, fp = 0, fn = 0;
    for (let p = 0; p < labels.length; p++) {
      const t = s.semantic[p] === 2, q = labels[p] === 2;
      if (t && q) tp++;
      else if (q) fp++;
      else if (t) fn++;
    }
    const square = tp + fp + fn ? tp / (tp + fp + fn) : null;
    if (square === null) expect(detail.perClass![2]).to.equal(null);
    else expect(detail.perClass![2]).to.be.closeTo(square, 1e-6);
    // the mean of the classes present, as the side table shows it
    const present = detail.perClass!.filter((v): v is number => v !== null);
    expect(detail.meanIoU!).to.be.closeTo(present.reduce((a, b) => a + b, 0) / present.length, 1e-9);
    expect(side(el)).to.contain(`mean IoU${detail.meanIoU!.toFixed(3)}`);
    expect(detail.meanIoU!).to.be.greaterThan(0.7); // the trained encoder-decoder (0.916 over 500 test scenes)
    expect(el.shadowRoot!.querySelectorAll('canvas.image').length).to.equal(2);
    expect(el.shadowRoot!.querySelector('ul.legend')!.textContent).to.contain('triangle');
    await expect(el).to.be.accessible();
  });

  it('receptive-field view: formula region and effective field for a keyboard-chosen pixel; the L slider follows 1 + 2L; pixel-select once per move', async () => {
    const { el } = await seg({ seed: '11', view: 'receptive-field', model: 'flat', layers: '3' });
    const canvas = el.shadowRoot!.querySelector('canvas.image') as HTMLCanvasElement;
    canvas.focus();
    const picks: PixelSelectDetail[] = [];
    el.addEventListener('pixel-select', (e) => picks.push(e.detail));
    canvas.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }));
    await settle(el);
    expect(picks.length).to.equal(1);
    const p = picks[0];
    // The flat network's field by the formula: 1 + 2L for its L convs, centred on the pixel (inside the image).
    const L = (await import('@convlab/models/fcn.js')).loadSegmenter('shapes-fcn-flat');
    const convs = (await L).layers.filter((l) => l.getClassName() === 'Conv2D').length;
    expect(p.formulaSize).to.equal(1 + 2 * convs);
    const r = convs;
    expect(p.region).to.deep.equal({ y0: Math.max(0, p.y - r), y1: Math.min(127, p.y + r), x0: Math.max(0, p.x - r), x1: Math.min(127, p.x + r) });
    expect(side(el)).to.contain(`${1 + 2 * convs} × ${1 + 2 * convs} px`);
    expect(side(el)).to.contain('1 + 2L');
    expect(side(el)).to.contain('7 px'); // L = 3
    expect(side(el)).to.match(/95% of \|gradient\| within\s*\d+ × \d+ px/);
    const within = Number(/within\s*(\d+) ×/.exec(side(el))![1]);
    expect(within).to.be.at.most(1 + 2 * convs); // the effective field is inside (and smaller than) the theoretical one
    // The slider's L: 1 + 2L, also by receptiveField.
    el.layers = 12;
    await settle(el);
    expect(side(el)).to.contain(`${receptiveField(Array.from({ length: 12 }, () => ({ kernel: 3, padding: 1 }))).at(-1)!.size} px`);
    // The encoder-decoder's field is larger than any object (sides up to 60 px).
    el.model = 'encoder-decoder';
    await settle(el);
    const size = Number(/Receptive field of the encoder-decoder net \(formula\)\s*(\d+) ×/.exec(side(el))![1]);
    expect(size).to.be.greaterThan(60);
    await expect(el).to.be.accessible();
  });

  it('compare view: both networks with receptive field, multiply-adds, time and mean IoU (the encoder-decoder well ahead); sliding window counts passes and extrapolates', async () => {
    const { el } = await seg({ seed: '11', view: 'compare' });
    const rows = [...el.shadowRoot!.querySelectorAll('table.compare tbody tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent!.trim()));
    expect(rows.map((r) => r[0])).to.deep.equal(['Flat', 'Encoder-decoder']);
    const rf = rows.map((r) => Number.parseInt(r[1]));
    const macs = rows.map((r) => Number.parseFloat(r[2]));
    const miou = rows.map((r) => Number(r[4]));
    expect(rf[1]).to.be.greaterThan(rf[0]);
    expect(macs[0]).to.be.greaterThan(macs[1]); // full resolution costs more
    // the multiply-adds are those of each model's own layer list
    const { loadSegmenter } = await import('@convlab/models/fcn.js');
    for (const [k, id] of (['shapes-fcn-flat', 'shapes-fcn'] as const).entries()) {
      expect(macs[k]).to.equal(Number((multiplyAdds(fcnLayers(await loadSegmenter(id))).total / 1e6).toFixed(1)));
    }
    expect(miou.every((v) => v >= 0 && v <= 1)).to.equal(true);
    expect(miou[1]).to.be.greaterThan(miou[0] + 0.2); // the encoder-decoder sees whole objects
    expect(rows.every((r) => /\d+(\.\d+)? ms/.test(r[3]))).to.equal(true);
    await el.runSlidingWindow('flat', 4);
    await settle(el);
    const text = el.shadowRoot!.querySelector('.sliding p.result')!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('16 passes');
    expect(text).to.contain('16,384 passes');
    expect(text).to.contain('Extrapolated');
    // window = the flat net's whole field: each window's label is the one-pass label
    expect(text).to.contain('agree with the one-pass map on 100%');
    await expect(el).to.be.accessible();
  });

  it('instance view: the detector\'s instances beside the semantic map; regions counted', async () => {
    const { el } = await seg({ seed: '11', view: 'instance' });
    await settle(el);
    expect(side(el)).to.match(/Instances \(detections ≥ 50%\)\s*\d+/);
    expect(countRegions(scene(11).semantic, 128, 128)).to.be.at.most(scene(11).objects.length);
    // seed 11: five objects apart, five regions of the true map, no merge note
    expect(mergedObjects(scene(11).semantic, scene(11).instances, 128, 128)).to.deep.equal({ regions: 5, merged: 0 });
    expect(side(el)).to.match(/Regions in the true semantic map\s*5/);
    expect(side(el)).not.to.contain('objects make');
    await expect(el).to.be.accessible();
  });

  it('instance view on the default scene (seed 9): two overlapping circles are one region of the true map, and the note says so', async () => {
    const { el } = await seg({ view: 'instance' });
    await settle(el);
    expect(el.seed).to.equal(9);
    const s = scene(9);
    const m = mergedObjects(s.semantic, s.instances, 128, 128);
    expect(m.merged).to.be.above(0);
    expect(side(el)).to.match(new RegExp(`Regions in the true semantic map\\s*${m.regions}`));
    expect(side(el)).to.contain(`Here ${s.objects.length} objects make ${m.regions} regions even in the true map`);
  });

  it('clamps bad settings with a notice and stays usable; an upload that is not an image leaves the scene', async () => {
    const { el } = await seg({ seed: '-4', view: 'heatmap', model: 'deep', layers: '99' });
    const t = noticeText(el);
    expect(t).to.contain('view="heatmap" is not one of');
    expect(t).to.contain('model="deep" is not one of');
    expect(t).to.contain('layers=99 is above the maximum 30');
    expect(t).to.contain('seed=-4 is below the minimum 0');
    expect([el.view, el.model, el.layers, el.seed]).to.deep.equal(['semantic', 'encoder-decoder', 30, 0]);
    expect(el.getAttribute('layers')).to.equal('30');
    const input = el.shadowRoot!.querySelector('input[type=file]') as HTMLInputElement;
    const dt = new DataTransfer();
    dt.items.add(new File(['not an image'], 'notes.txt', { type: 'text/plain' }));
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
    await settle(el);
    expect(el.shadowRoot!.querySelector('.error[role=alert]')!.textContent).to.contain('notes.txt is not an image');
    expect(el.labels).to.not.equal(undefined);
    // A real image: segmented, without ground truth.
    const dt2 = new DataTransfer();
    dt2.items.add(await pngFile('square.png'));
    input.files = dt2.files;
    const e = oneEvent(el, 'segmentation-change');
    input.dispatchEvent(new Event('change'));
    const d = ((await e) as CustomEvent<SegmentationChangeDetail>).detail;
    expect(d.origin).to.equal('file');
    expect(d.meanIoU).to.equal(null);
    await settle(el);
    expect(side(el)).to.contain('No ground truth');
    // A src that is not there: an alert that names it.
    el.src = '/no/such/image.png';
    await settle(el);
    const status = el.shadowRoot!.querySelector('convlab-status')!;
    expect(status.getAttribute('state')).to.equal('error');
    expect(status.getAttribute('message')).to.contain('/no/such/image.png');
  });

  it('tensors return to baseline after 200 interactions and after removal mid-computation', async () => {
    const { el } = await seg({ seed: '5', view: 'receptive-field' });
    await settle(el);
    const base = tf.memory().numTensors;
    const canvas = el.shadowRoot!.querySelector('canvas.image') as HTMLCanvasElement;
    const keys = ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp'];
    for (let i = 0; i < 200; i++) {
      canvas.dispatchEvent(new KeyboardEvent('keydown', { key: keys[i % 4] }));
      if (i % 50 === 0) await settle(el);
    }
    await settle(el);
    for (const v of ['compare', 'semantic', 'receptive-field'] as const) {
      el.view = v;
      await settle(el);
    }
    expect(tf.memory().numTensors).to.equal(base);
    el.newScene();
    await el.updateComplete;
    el.remove();
    await new Promise((r) => setTimeout(r, 1500));
    expect(tf.memory().numTensors).to.equal(base - 1); // the element's image tensor is gone too
  });
});
