import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '@convlab/models';
import { loadModel, tf, type Tensor4D } from '@convlab/tensor';
import '../src/index.js';

interface Args {
  model: string;
  sample: number | string;
  patch: number;
  stride: number;
  fill: 'grey' | 'black' | 'mean' | 'blurred';
  targetClass: string;
  blackBox: boolean;
  scale: 'absolute' | 'stretched';
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Visualizing ConvNets/occlusion-map',
  component: 'occlusion-map',
  args: { model: 'digits', sample: 51, patch: 6, stride: 2, fill: 'grey', targetClass: '', blackBox: false, scale: 'absolute', controls: 'all', presenter: false },
  argTypes: {
    model: { control: 'select', options: ['digits', 'fashion'] },
    fill: { control: 'inline-radio', options: ['grey', 'black', 'mean', 'blurred'] },
    scale: { control: 'inline-radio', options: ['absolute', 'stretched'] },
    patch: { control: { type: 'range', min: 1, max: 28, step: 1 } },
    stride: { control: { type: 'range', min: 1, max: 14, step: 1 } },
  },
  render: (a) => html`<occlusion-map
    model=${a.model}
    sample=${a.sample}
    patch=${a.patch}
    stride=${a.stride}
    fill=${a.fill}
    target-class=${a.targetClass}
    ?black-box=${a.blackBox}
    scale=${a.scale}
    controls=${a.controls}
    ?presenter=${a.presenter}
  ></occlusion-map>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Playground: Story = {};
export const Fashion: Story = { args: { model: 'fashion', sample: 70, patch: 8, stride: 2 } };
export const BlackBox: Story = { name: 'Black box: probabilities only', args: { blackBox: true, sample: 40 } };
export const BlurredFill: Story = { args: { fill: 'blurred', sample: 90 } };
export const StretchedScale: Story = { name: 'Stretched colour scale (labelled as stretched)', args: { scale: 'stretched', sample: 0 } };
export const BadSettings: Story = { name: 'Bad settings: clamped, with a quiet notice', args: { patch: 40, stride: 0 } };
export const ByLabel: Story = { name: 'A sample chosen by class: sample="label:7"', args: { sample: 'label:7' } };

/** A page-set probability function, as a wrapper around a remote API would be. */
export const PageSetFunction: Story = {
  name: 'Black box: a page-set (images) => probabilities function',
  render: () => {
    const el = document.createElement('occlusion-map');
    el.setAttribute('sample', '20');
    const model = loadModel('digits');
    el.probabilities = async (images: Tensor4D) => {
      const m = await model;
      const p = tf.tidy(() => tf.softmax(m.logits(images)));
      const rows = (await p.array()) as number[][];
      p.dispose();
      return rows;
    };
    return el;
  },
};
