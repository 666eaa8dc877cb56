import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import { scene } from '@convlab/scenes';
import '../src/index.js';
import { AnchorViewer, type DetectionsChangeDetail, type SceneChangeDetail } from '../src/index.js';

const noticeText = (el: AnchorViewer) =>
  [...el.shadowRoot!.querySelectorAll('convlab-notice')].map((n) => n.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim()).join(' ').trim();
const side = (el: AnchorViewer) => el.shadowRoot!.querySelector('.side')!.textContent!.replace(/\s+/g, ' ');

/** An <anchor-viewer> with these attributes, once its first detections are out. */
async function viewer(attrs: Record<string, string> = {}): Promise<{ el: AnchorViewer; det: DetectionsChangeDetail; scn: SceneChangeDetail }> {
  const el = document.createElement('anchor-viewer') as AnchorViewer;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  const s = oneEvent(el, 'scene-change');
  const d = oneEvent(el, 'detections-change');
  (await fixture(html`<div></div>`)).append(el);
  const scn = ((await s) as CustomEvent<SceneChangeDetail>).detail;
  const det = ((await d) as CustomEvent<DetectionsChangeDetail>).detail;
  await el.updateComplete;
  return { el, det, scn };
}

describe('<anchor-viewer>', () => {
  before(async () => {
    await ready();
  });

  it('runs the detector on a generated scene: events once with typed detail, 9 anchors per cell labelled with IoU, axe clean', async () => {
    let scenes = 0;
    let dets = 0;
    document.addEventListener('scene-change', () => scenes++);
    document.addEventListener('detections-change', () => dets++);
    const { el, det, scn } = await viewer({ seed: '11' });
    const s = scene(11);
    expect(scn).to.deep.equal({ seed: 11, origin: 'scene', width: 128, height: 128, objects: s.objects.length });
    expect(det.scoreThreshold).to.equal(0.5);
    expect(det.proposals).to.be.within(1, 100);
    expect(det.detections.every((d) => d.score >= 0.5 && ['circle', 'square', 'triangle'].includes(d.className) && d.box.length === 4)).to.equal(true);
    await new Promise((r) => setTimeout(r, 100));
    expect([scenes, dets]).to.deep.equal([1, 1]);
    // The anchors view: 9 rows (3 ratios x 3 sizes), each with an IoU and a label.
    const rows = el.shadowRoot!.querySelectorAll('table.anchors tbody tr');
    expect(rows.length).to.equal(9);
    // It starts on the cell of the anchor that overlaps an object most: that anchor is positive.
    expect(side(el)).to.contain('positive');
    // Point the cell at the centre of the first object: some anchor there overlaps it.
    const [x1, y1, x2, y2] = s.objects[0].box;
    const canvas = el.shadowRoot!.querySelector('canvas.image') as HTMLCanvasElement;
    canvas.focus();
    for (let i = 0; i < 20; i++) canvas.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp' }));
    for (let i = 0; i < 20; i++) canvas.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft' }));
    await el.updateComplete;
    expect(side(el)).to.contain('cell (0, 0)');
    const row = Math.round((y1 + y2) / 2 / 8);
    const col = Math.round((x1 + x2) / 2 / 8);
    for (let i = 0; i < row; i++) canvas.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown' }));
    for (let i = 0; i < col; i++) canvas.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }));
    await el.updateComplete;
    expect(side(el)).to.contain(`cell (${row}, ${col})`);
    const ious = [...el.shadowRoot!.querySelectorAll('table.anchors tbody tr td:nth-child(3)')].map((t) => Number(t.textContent));
    expect(Math.max(...ious)).to.be.greaterThan(0.1);
    await expect(el).to.be.accessible();
    expect(el.shadowRoot!.querySelector('table.losses'), 'losses only when their view is shown').to.equal(null);
    for (const v of ['objectness', 'proposals', 'detections', 'losses'] as const) {
      el.view = v;
      await el.updateComplete;
      await el.computed;
      await el.updateComplete;
      await expect(el, v).to.be.accessible();
    }
    // The four losses, named as on the slide, each a finite positive number.
    const losses = [...el.shadowRoot!.querySelectorAll('table.losses tbody tr')].map((tr) => [tr.querySelector('th')!.textContent!.replace(/\s+/g, ' ').trim(), Number(tr.querySelector('td.value')!.textContent)] as const);
    expect(losses.map(([n]) => n)).to.deep.equal(['RPN classification loss_objectness', 'RPN regression loss_rpn_box_reg', 'Head classification loss_classifier', 'Head regression loss_box_reg']);
    expect(losses.every(([, v]) => Number.isFinite(v) && v >= 0)).to.equal(true);
  });

  it('clamps bad settings with a notice: thresholds outside [0, 1], an empty ratio list, an unknown view', async () => {
    const { el } = await viewer({ 'fg-iou': '1.5', 'bg-iou': '-0.2', ratios: '', view: 'heatmap', 'top-n': '0', 'score-threshold': 'abc' });
    const t = noticeText(el);
    expect(t).to.contain('fg-iou=1.5 is above the maximum 1: using 1.');
    expect(t).to.contain('bg-iou=-0.2 is below the minimum 0: using 0.');
    expect(t).to.contain('ratios="" has no number');
    expect(t).to.contain('view="heatmap" is not one of');
    expect(t).to.contain('top-n=0 is below the minimum 1');
    expect(t).to.contain('score-threshold="abc" is not a number');
    expect(el.view).to.equal('anchors');
    expect(el.getAttribute('view')).to.equal('anchors');
    expect(el.topN).to.equal(1);
    expect([el.getAttribute('fg-iou'), el.getAttribute('bg-iou'), el.getAttribute('top-n')]).to.deep.equal(['1', '0', '1']);
    // Still a working widget: 9 anchors (the default ratios) per cell.
    expect(el.shadowRoot!.querySelectorAll('table.anchors tbody tr').length).to.equal(9);
    // A good value clears its notice.
    el.fgIou = 0.6;
    await el.updateComplete;
    expect(noticeText(el)).not.to.contain('fg-iou');
    // bg above fg: clamped to fg with a notice.
    el.bgIou = 0.8;
    await el.updateComplete;
    expect(noticeText(el)).to.contain('bg-iou=0.8 is above fg-iou=0.6');
    // Other anchor shapes than the trained ones: said, and the table follows them.
    el.ratios = '1';
    el.sizes = '24';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('table.anchors tbody tr').length).to.equal(1);
    expect(noticeText(el)).to.contain('the detector was trained with sizes 16, 32, 64');
  });

  it('NMS, top-N and score sliders re-filter kept results without running the network', async () => {
    const parts = await AnchorViewer.detector();
    const { el } = await viewer({ seed: '3', view: 'proposals', 'top-n': '500' });
    const predict = parts.backbone.predict.bind(parts.backbone);
    let calls = 0;
    parts.backbone.predict = ((...a: Parameters<typeof predict>) => {
      calls++;
      return predict(...a);
    }) as typeof predict;
    try {
      const after = () => Number(el.shadowRoot!.querySelector('dl.counts dd.after')!.textContent);
      const n0 = after();
      el.nmsIou = 0.3;
      await el.updateComplete;
      const n1 = after();
      expect(n1).to.be.below(n0);
      expect(n1).to.be.at.least(1);
      el.topN = 5;
      await el.updateComplete;
      expect(after()).to.equal(Math.min(5, n1));
      el.view = 'detections';
      await el.updateComplete;
      const ev = oneEvent(el, 'detections-change');
      el.scoreThreshold = 0;
      const d = ((await ev) as CustomEvent<DetectionsChangeDetail>).detail;
      expect(d.scoreThreshold).to.equal(0);
      expect(calls, 'backbone runs').to.equal(0);
      // The control: a new scene does run it.
      el.seed = 4;
      await oneEvent(el, 'detections-change');
      expect(calls).to.equal(1);
    } finally {
      parts.backbone.predict = predict;
    }
  });

  it('an image that is not an image: an error that says so, and a file upload that is not one keeps the scene', async () => {
    const el = document.createElement('anchor-viewer') as AnchorViewer;
    el.src = new URL('../package.json', import.meta.url).href;
    (await fixture(html`<div></div>`)).append(el);
    const status = () => el.shadowRoot!.querySelector('convlab-status')!;
    await waitUntil(() => status()?.getAttribute('state') === 'error', 'error state', { timeout: 20000 });
    expect(status().getAttribute('message')).to.match(/could not be loaded.*(not an image|decode|image)/i);
    // Back to a scene: it works.
    const d = oneEvent(el, 'detections-change');
    el.src = '';
    await d;
    const input = el.shadowRoot!.querySelector('input[type=file]') as HTMLInputElement;
    const dt = new DataTransfer();
    dt.items.add(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
    await waitUntil(() => el.shadowRoot!.querySelector('.upload [role=alert]'), 'upload error');
    expect(el.shadowRoot!.querySelector('.upload [role=alert]')!.textContent).to.contain('notes.txt is not an image: the previous image stays.');
    expect(el.shadowRoot!.querySelectorAll('table.anchors tbody tr').length).to.equal(9);
  });

  it('an uploaded image runs without ground truth: anchors unlabelled, no losses', async () => {
    const { el } = await viewer({ seed: '2' });
    const c = document.createElement('canvas');
    c.width = c.height = 64;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#246';
    ctx.fillRect(0, 0, 64, 64);
    ctx.fillStyle = '#fc0';
    ctx.fillRect(16, 16, 30, 30);
    const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/png'));
    const input = el.shadowRoot!.querySelector('input[type=file]') as HTMLInputElement;
    const dt = new DataTransfer();
    dt.items.add(new File([blob], 'square.png', { type: 'image/png' }));
    const sc = oneEvent(el, 'scene-change');
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
    const d = ((await sc) as CustomEvent<SceneChangeDetail>).detail;
    expect(d).to.deep.include({ seed: null, origin: 'file', objects: 0 });
    await el.computed;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('figcaption')!.textContent).to.contain('No ground truth');
    el.view = 'losses';
    await el.updateComplete;
    expect(side(el)).to.contain('No ground truth');
  });

  it('tensors back at baseline after many interactions and after removal mid-computation', async () => {
    await AnchorViewer.detector();
    const empty = tf.memory().numTensors;
    const { el } = await viewer({ seed: '5' });
    await el.computed;
    const base = tf.memory().numTensors;
    const canvas = el.shadowRoot!.querySelector('canvas.image') as HTMLCanvasElement;
    for (let i = 0; i < 200; i++) {
      const k = i % 4;
      if (k === 0) canvas.dispatchEvent(new KeyboardEvent('keydown', { key: i % 8 ? 'ArrowRight' : 'ArrowDown' }));
      if (k === 1) el.nmsIou = 0.3 + (i % 7) / 10;
      if (k === 2) el.fgIou = 0.5 + (i % 5) / 10;
      if (k === 3) el.scoreThreshold = (i % 9) / 10;
      await el.updateComplete;
      await el.computed;
    }
    // The mask head on and off (it runs the detector again, with masks).
    el.view = 'detections';
    await el.updateComplete;
    const masks = el.shadowRoot!.querySelector('input[type=checkbox]') as HTMLInputElement;
    expect(masks.parentElement!.textContent).to.contain('Masks');
    masks.click();
    await el.computed;
    expect(el.shadowRoot!.querySelector('figcaption')!.textContent).to.contain('with masks');
    for (let i = 0; i < 3; i++) {
      el.newScene();
      await el.updateComplete;
      await el.computed;
    }
    expect(tf.memory().numTensors).to.equal(base);
    // Removed while the next scene is being detected: everything it held is released.
    el.newScene();
    await el.updateComplete;
    const pending = el.computed;
    el.remove();
    await pending;
    await new Promise((r) => setTimeout(r, 50));
    expect(tf.memory().numTensors).to.equal(empty);
  });
});
