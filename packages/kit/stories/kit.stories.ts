import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { action } from 'storybook/actions';
import { ready, tf, type Tensor } from '@convlab/tensor';
import '../src/define.js';
import type { PickerSample } from '../src/image-picker.js';

/**
 * One story per kit element. Each story has its own args (the element's attributes) and event
 * actions; the elements' API tables come from custom-elements.json.
 */
const meta: Meta = {
  title: 'Kit/Parts',
  parameters: { layout: 'padded' },
};
export default meta;

const common = {
  theme: { control: 'inline-radio', options: ['', 'light', 'dark'] },
  presenter: { control: 'boolean' },
} as const;

/** Ten 28x28 "digits" drawn with the system font: samples that need no network. */
function digitSamples(): PickerSample[] {
  return Array.from({ length: 10 }, (_, d) => {
    const c = document.createElement('canvas');
    c.width = c.height = 28;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 28, 28);
    ctx.fillStyle = '#fff';
    ctx.font = 'bold 22px sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(String(d), 14, 15);
    return { label: `Digit ${d}`, src: ctx.getImageData(0, 0, 28, 28) };
  });
}

interface StatusArgs {
  state: 'loading' | 'ready' | 'running' | 'error';
  progress: number;
  message: string;
  retryable: boolean;
  backend: 'webgl' | 'wasm' | 'cpu';
  theme: string;
  presenter: boolean;
}

export const Status: StoryObj<StatusArgs> = {
  args: {
    state: 'loading',
    progress: 0.42,
    message: 'Loading model…',
    retryable: true,
    backend: 'wasm',
    theme: '',
    presenter: false,
  },
  argTypes: {
    state: { control: 'inline-radio', options: ['loading', 'ready', 'running', 'error'] },
    progress: { control: { type: 'range', min: -1, max: 1, step: 0.01 } },
    backend: { control: 'inline-radio', options: ['webgl', 'wasm', 'cpu'] },
    ...common,
  },
  render: (a) => html`<convlab-status
    state=${a.state}
    progress=${a.progress}
    message=${a.message}
    ?retryable=${a.retryable}
    theme=${a.theme}
    ?presenter=${a.presenter}
    .backend=${{
      name: a.backend,
      reason: a.backend === 'webgl' ? 'hardware-accelerated WebGL' : 'WebGL runs on a software renderer',
    }}
    @retry=${action('retry')}
  ></convlab-status>`,
};

interface PickerArgs {
  label: string;
  uploadLabel: string;
  selected: number;
  theme: string;
  presenter: boolean;
}

export const ImagePicker: StoryObj<PickerArgs> = {
  args: { label: 'Sample images', uploadLabel: 'Upload an image…', selected: -1, theme: '', presenter: false },
  argTypes: { selected: { control: { type: 'number', min: -1, max: 9 } }, ...common },
  render: (a) => html`<convlab-image-picker
    label=${a.label}
    upload-label=${a.uploadLabel}
    selected=${a.selected}
    theme=${a.theme}
    ?presenter=${a.presenter}
    .samples=${digitSamples()}
    @image-select=${action('image-select')}
  ></convlab-image-picker>`,
};

interface CanvasArgs {
  pattern: 'gaussian' | 'ripple' | 'checker';
  size: number;
  colormap: 'viridis' | 'diverging' | 'grey';
  range: 'auto' | 'symmetric' | '0,1';
  label: string;
  interactive: boolean;
  saveable: boolean;
  scale: number;
  theme: string;
  presenter: boolean;
}

let shown: Tensor | undefined;

function pattern(kind: CanvasArgs['pattern'], n: number): Tensor {
  return tf.tidy(() => {
    const r = tf.reshape(tf.range(0, n), [n, 1]);
    const c = tf.reshape(tf.range(0, n), [1, n]);
    const dy = tf.sub(r, (n - 1) / 2);
    const dx = tf.sub(c, (n - 1) / 2);
    const d2 = tf.add(tf.square(dx), tf.square(dy));
    if (kind === 'gaussian') return tf.exp(tf.div(tf.neg(d2), (n * n) / 10));
    if (kind === 'ripple') return tf.cos(tf.div(tf.sqrt(d2), n / 12));
    return tf.cast(tf.mod(tf.add(r, c), 2), 'float32');
  });
}

export const TensorCanvas: StoryObj<CanvasArgs> = {
  args: {
    pattern: 'ripple',
    size: 16,
    colormap: 'diverging',
    range: 'symmetric',
    label: 'A ripple: cosine of the distance from the centre',
    interactive: true,
    saveable: true,
    scale: 1,
    theme: '',
    presenter: false,
  },
  argTypes: {
    pattern: { control: 'inline-radio', options: ['gaussian', 'ripple', 'checker'] },
    size: { control: { type: 'range', min: 2, max: 64, step: 1 } },
    colormap: { control: 'inline-radio', options: ['viridis', 'diverging', 'grey'] },
    range: { control: 'inline-radio', options: ['auto', 'symmetric', '0,1'] },
    scale: { control: { type: 'number', min: 1, max: 16 } },
    ...common,
  },
  render: (a) => {
    const el = document.createElement('convlab-tensor-canvas');
    Object.assign(el, {
      colormap: a.colormap,
      label: a.label,
      interactive: a.interactive,
      saveable: a.saveable,
      scale: a.scale,
    });
    el.setAttribute('range', a.range);
    if (a.theme) el.setAttribute('theme', a.theme);
    el.presenter = a.presenter;
    el.addEventListener('cell-activate', action('cell-activate'));
    el.addEventListener('cell-pointer', (e) => {
      if (e.detail.phase !== 'move' || e.detail.buttons) action('cell-pointer')(e);
    });
    el.addEventListener('paint', action('paint'));
    void ready().then(() => {
      const previous = shown;
      shown = pattern(a.pattern, a.size);
      el.tensor = shown;
      previous?.dispose();
    });
    return el;
  },
};

interface DrawArgs {
  size: number;
  brush: number;
  preprocess: 'mnist' | 'none';
  label: string;
  theme: string;
  presenter: boolean;
}

export const DrawPad: StoryObj<DrawArgs> = {
  args: {
    size: 28,
    brush: 2,
    preprocess: 'mnist',
    label: 'Drawing area: draw a digit with the mouse, pen or finger',
    theme: '',
    presenter: false,
  },
  argTypes: {
    brush: { control: { type: 'range', min: 0.5, max: 5, step: 0.5 } },
    preprocess: { control: 'inline-radio', options: ['mnist', 'none'] },
    ...common,
  },
  render: (a) => {
    // Shows what a model would get: the 28x28 output of each stroke, painted by a tensor canvas.
    const onEnd = (e: CustomEvent<{ pixels: ImageData }>) => {
      action('draw-end')(e);
      const view = (e.currentTarget as HTMLElement).nextElementSibling as HTMLElement & { tensor?: Tensor };
      const img = e.detail.pixels;
      const previous = view.tensor;
      view.tensor = tf.tidy(() => {
        const rgba = tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 4], 'int32');
        const red = tf.squeeze(tf.slice(rgba, [0, 0, 0], [-1, -1, 1]), [2]);
        return tf.div(tf.cast(red, 'float32'), 255);
      });
      previous?.dispose();
    };
    return html`<div style="display: flex; gap: 1rem; align-items: start">
      <convlab-draw-pad
        size=${a.size}
        brush=${a.brush}
        preprocess=${a.preprocess}
        label=${a.label}
        theme=${a.theme}
        ?presenter=${a.presenter}
        @draw-end=${onEnd}
        @draw-clear=${action('draw-clear')}
      ></convlab-draw-pad>
      <convlab-tensor-canvas colormap="grey" range="0,1" label="What the model sees"></convlab-tensor-canvas>
    </div>`;
  },
};

interface BarsArgs {
  heading: string;
  top: number;
  highlight: number;
  highlightLabel: string;
  sharpness: number;
  theme: string;
  presenter: boolean;
}

export const ProbBars: StoryObj<BarsArgs> = {
  args: {
    heading: 'Prediction',
    top: 5,
    highlight: 3,
    highlightLabel: 'true class',
    sharpness: 3,
    theme: '',
    presenter: false,
  },
  argTypes: {
    top: { control: { type: 'range', min: 1, max: 10, step: 1 } },
    highlight: { control: { type: 'number', min: -1, max: 9 } },
    sharpness: {
      control: { type: 'range', min: 0, max: 8, step: 0.1 },
      description: 'Story only: softmax temperature of the made-up logits',
    },
    ...common,
  },
  render: (a) => {
    const logits = [0.2, 1.1, -0.5, 2.3, 0.1, -1, 0.4, 2.0, 0.3, -0.2].map((v) => v * a.sharpness);
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const s = e.reduce((x, y) => x + y, 0);
    return html`<convlab-prob-bars
      heading=${a.heading}
      top=${a.top}
      highlight=${a.highlight}
      highlight-label=${a.highlightLabel}
      theme=${a.theme}
      ?presenter=${a.presenter}
      labels="0,1,2,3,4,5,6,7,8,9"
      .probabilities=${e.map((v) => v / s)}
    ></convlab-prob-bars>`;
  },
};

interface SliderArgs {
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  unit: string;
  digits: number;
  theme: string;
  presenter: boolean;
}

export const Slider: StoryObj<SliderArgs> = {
  args: {
    label: 'Epsilon',
    min: 0,
    max: 0.3,
    step: 0.005,
    value: 0.1,
    unit: '',
    digits: 3,
    theme: '',
    presenter: false,
  },
  argTypes: common,
  render: (a) => html`<convlab-slider
    label=${a.label}
    min=${a.min}
    max=${a.max}
    step=${a.step}
    value=${a.value}
    unit=${a.unit}
    digits=${a.digits}
    theme=${a.theme}
    ?presenter=${a.presenter}
    @input=${action('input')}
    @change=${action('change')}
  ></convlab-slider>`,
};

interface NoticeArgs {
  messages: string;
  kind: 'settings' | 'info';
  theme: string;
  presenter: boolean;
}

/** The quiet notice of the settings rule: what a widget used instead of a bad attribute. */
export const Notice: StoryObj<NoticeArgs> = {
  args: {
    messages: 'epsilon=5 is above the maximum 1: using 1.|sample="label:12": no bundled sample has class 12: using sample 0.',
    kind: 'settings',
    theme: '',
    presenter: false,
  },
  argTypes: { ...common, kind: { control: 'inline-radio', options: ['settings', 'info'] } },
  render: (a) => html`<convlab-notice
    .messages=${a.messages.split('|').filter(Boolean)}
    kind=${a.kind}
    theme=${a.theme}
    ?presenter=${a.presenter}
  ></convlab-notice>`,
};
