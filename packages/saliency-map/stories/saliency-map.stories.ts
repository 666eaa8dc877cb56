import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '@convlab/models';
import '../src/index.js';

interface Args {
  model: string;
  sample: number;
  targetClass: string;
  layer: string;
  unit: number;
  method: 'all' | 'gradient' | 'deconvnet' | 'guided';
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Visualizing ConvNets/saliency-map',
  component: 'saliency-map',
  args: { model: 'digits', sample: 33, targetClass: '', layer: '', unit: 0, method: 'all', controls: 'all', presenter: false },
  argTypes: {
    model: { control: 'select', options: ['digits', 'fashion'] },
    method: { control: 'inline-radio', options: ['all', 'gradient', 'deconvnet', 'guided'] },
    layer: { control: 'select', options: ['', 'conv1', 'conv2', 'conv3', 'features'] },
    unit: { control: { type: 'number', min: 0, max: 63, step: 1 } },
  },
  render: (a) => html`<saliency-map
    model=${a.model}
    sample=${a.sample}
    target-class=${a.targetClass}
    layer=${a.layer}
    unit=${a.unit}
    method=${a.method}
    controls=${a.controls}
    ?presenter=${a.presenter}
  ></saliency-map>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Playground: Story = {};
export const Fashion: Story = { args: { model: 'fashion', sample: 90 } };
export const AnotherClass: Story = { name: 'Why not an 8? (another class)', args: { sample: 33, targetClass: '8' } };
export const HiddenUnit: Story = { name: 'A unit of conv2 (deconvnet view of a neuron)', args: { layer: 'conv2', unit: 5, sample: 70 } };
export const GuidedOnly: Story = { args: { method: 'guided', sample: 50 } };
export const BadSettings: Story = { name: 'Notice: a layer that does not exist', args: { layer: 'conv9', method: 'magic' as 'all' } };
