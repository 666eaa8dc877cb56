// The course site's first page: an image becomes a tensor, painted two ways, with the kit's parts.
import '@convlab/kit/define.js';
import { ready, fromImage, tf, type Tensor4D, type ImageSource } from '@convlab/tensor';
import { setupTheme } from './theme.js';

setupTheme();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLElement & { state: string; message: string; backend?: unknown }>('status');
const picker = $<HTMLElement & { samples: { label: string; src: string }[] }>('picker');
const rgbView = $<HTMLElement & { tensor?: tf.Tensor }>('rgb');
const lumView = $<HTMLElement & { tensor?: tf.Tensor }>('lum');
const gamma = $<HTMLElement & { value: number }>('gamma');

const photos = ['chelsea', 'coffee', 'astronaut', 'grace-hopper', 'rocket'];
picker.samples = photos.map((p) => ({ label: p.replace('-', ' '), src: new URL(`../photos/${p}.jpg`, document.baseURI).href }));

let image: Tensor4D | undefined;

function repaint() {
  if (!image) return;
  const g = Number(gamma.value) || 1;
  const lum = tf.tidy(() => tf.pow(tf.squeeze(tf.sum(tf.mul(image!, tf.tensor1d([0.299, 0.587, 0.114])), -1), [0]), g));
  const oldLum = lumView.tensor;
  rgbView.tensor = image;
  lumView.tensor = lum;
  oldLum?.dispose();
}

async function show(source: ImageSource | Blob) {
  status.state = 'running';
  try {
    const next = await fromImage(source as ImageSource, { maxSide: 256 });
    const prev = image;
    image = next;
    $('shape').textContent = `[${next.shape.join(', ')}]`;
    repaint();
    prev?.dispose();
    status.state = 'ready';
    return true;
  } catch (e) {
    status.state = 'error';
    status.message = (e as Error).message;
    return false;
  }
}

picker.addEventListener('image-select', (e) => void show((e as CustomEvent).detail.source));
gamma.addEventListener('input', repaint);

const info = await ready();
status.backend = info;
// The backend in a few words; why (the graphics driver, when there is no GPU) is behind the status's (i).
$('backend').textContent = `TensorFlow.js backend: ${info.name}.`;
status.state = 'ready';
if (await show(picker.samples[0].src)) document.body.dataset.ready = 'true';
