// The functional-graph export of train/py/tfjs_export.py (export_graph): a tiny seeded GraphNet with
// every layer kind the segmenters need (same convs, a strided 'same' conv, a 2x2 stride-2 conv, a
// transposed conv, concatenation, addition) computes in TF.js what it computed in PyTorch, and the
// check notices a skip joined the wrong way round or a transposed-conv kernel in the wrong layout.
// Fixture: packages/models/fixtures/graph-tiny (train/py/make_graph_fixture.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, tfl, useCpu, readLayersArtifacts } from '../train/lib/tf.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'graph-tiny');
const parity = JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8'));

async function load(edit = (a) => a) {
  await useCpu();
  const a = edit(structuredClone({ ...readLayersArtifacts(dir), weightData: undefined }), readLayersArtifacts(dir).weightData);
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData ?? readLayersArtifacts(dir).weightData }));
}

function maxDiff(model) {
  const y = tf.tidy(() => model.predict(tf.tensor4d(parity.input, parity.inputShape)).dataSync());
  let d = 0;
  for (let i = 0; i < y.length; i++) d = Math.max(d, Math.abs(y[i] - parity.output[i]));
  return d;
}

test('graph-tiny: a functional model with every layer kind, TF.js = PyTorch to 1e-5', async (t) => {
  const model = await load();
  assert.deepEqual(model.layers.map((l) => l.getClassName()), ['InputLayer', 'Conv2D', 'Conv2D', 'Conv2D', 'Conv2DTranspose', 'Concatenate', 'Conv2D', 'Conv2DTranspose', 'Add', 'Conv2D']);
  assert.deepEqual(model.outputs[0].shape, [null, 16, 16, 3]);
  const d = maxDiff(model);
  t.diagnostic(`max abs diff ${d.toExponential(2)}`);
  assert.ok(d < 1e-5, `max abs diff ${d}`);
  model.dispose();
});

test('graph-tiny: the check catches a concatenation in the wrong order and a transposed kernel in the wrong layout', async (t) => {
  const swapped = await load((a) => {
    const cat = a.modelTopology.model_config.config.layers.find((l) => l.class_name === 'Concatenate');
    cat.inbound_nodes[0].reverse();
    // the next conv's input channels then no longer line up: same shapes, different function
    return a;
  });
  const dCat = maxDiff(swapped);
  swapped.dispose();
  // u1's kernel [kh, kw, out, in] read as if it were [kh, kw, in, out] (4 x 4, so the shapes agree)
  const wrongLayout = await load((a, data) => {
    const out = data.slice(0);
    let offset = 0;
    for (const s of a.weightSpecs) {
      const size = s.shape.reduce((p, q) => p * q, 1);
      if (s.name === 'u1/kernel') {
        const [kh, kw, co, ci] = s.shape;
        const src = new Float32Array(data, offset, size);
        const dst = new Float32Array(out, offset, size);
        for (let i = 0; i < kh * kw; i++) for (let o = 0; o < co; o++) for (let c = 0; c < ci; c++) dst[i * co * ci + c * co + o] = src[i * co * ci + o * ci + c];
      }
      offset += size * 4;
    }
    a.weightData = out;
    return a;
  });
  const dKernel = maxDiff(wrongLayout);
  wrongLayout.dispose();
  t.diagnostic(`concat reversed: ${dCat.toExponential(2)}; transposed-conv kernel in the wrong layout: ${dKernel.toExponential(2)}`);
  assert.ok(dCat > 1e-2, `a reversed concatenation went unnoticed (${dCat})`);
  assert.ok(dKernel > 1e-2, `a wrong kernel layout went unnoticed (${dKernel})`);
});
