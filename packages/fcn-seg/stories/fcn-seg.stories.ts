import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '../src/index.js';

interface Args {
  seed: number;
  src: string;
  model: 'encoder-decoder' | 'flat';
  layers: number;
  view: 'semantic' | 'receptive-field' | 'compare' | 'instance';
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Segmentation/fcn-seg',
  component: 'fcn-seg',
  args: { seed: 9, src: '', model: 'encoder-decoder', layers: 10, view: 'semantic', controls: 'all', presenter: false },
  argTypes: {
    view: { control: 'inline-radio', options: ['semantic', 'receptive-field', 'compare', 'instance'] },
    model: { control: 'inline-radio', options: ['encoder-decoder', 'flat'] },
    layers: { control: { type: 'range', min: 1, max: 30, step: 1 } },
  },
  render: (a) => html`<fcn-seg seed=${a.seed} src=${a.src} model=${a.model} layers=${a.layers} view=${a.view} controls=${a.controls} ?presenter=${a.presenter}></fcn-seg>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Playground: Story = {};
export const FlatNetwork: Story = { name: 'The flat network fails inside large shapes', args: { model: 'flat' } };
export const ReceptiveField: Story = { name: 'Receptive field: formula and gradient (flat, L = 10)', args: { view: 'receptive-field', model: 'flat' } };
export const ReceptiveFieldEncoderDecoder: Story = { name: 'Receptive field of the encoder-decoder', args: { view: 'receptive-field', layers: 20 } };
export const Compare: Story = { name: 'Flat vs encoder-decoder, and the sliding window', args: { view: 'compare' } };
export const Instance: Story = { name: 'Semantic vs instance', args: { view: 'instance' } };
export const BadSettings: Story = { name: 'Bad settings: clamped, with a quiet notice', args: { view: 'heatmap' as 'semantic', layers: 99 } };
