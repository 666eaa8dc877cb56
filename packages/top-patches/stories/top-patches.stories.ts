import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '@convlab/models';
import '../src/index.js';

interface Args {
  model: string;
  layer: string;
  unit: number;
  k: number;
  count: number;
  mode: 'single' | 'grid';
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Visualizing ConvNets/top-patches',
  component: 'top-patches',
  args: { model: 'digits', layer: '', unit: 0, k: 9, count: 1000, mode: 'single', controls: 'all', presenter: false },
  argTypes: {
    model: { control: 'select', options: ['digits', 'fashion'] },
    layer: { control: 'select', options: ['', 'conv1', 'pool1', 'conv2', 'pool2', 'conv3', 'pool3'] },
    mode: { control: 'inline-radio', options: ['single', 'grid'] },
    k: { control: { type: 'range', min: 1, max: 50, step: 1 } },
    count: { control: { type: 'range', min: 100, max: 5000, step: 100 } },
  },
  render: (a) => html`<top-patches
    model=${a.model}
    layer=${a.layer}
    unit=${a.unit}
    k=${a.k}
    count=${a.count}
    mode=${a.mode}
    controls=${a.controls}
    ?presenter=${a.presenter}
  ></top-patches>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Playground: Story = {};
export const Grid: Story = { name: 'Every unit of conv2 (grid)', args: { layer: 'conv2', mode: 'grid', k: 8 } };
export const Strokes: Story = { name: 'conv1: strokes and edges', args: { layer: 'conv1', unit: 4, k: 12 } };
export const Fashion: Story = { args: { model: 'fashion', unit: 10 } };
export const ErrorState: Story = { name: 'Error: a layer that does not exist', args: { layer: 'conv7', unit: 99 } };
