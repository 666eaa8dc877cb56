import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '@convlab/models';
import '../src/index.js';

interface Args {
  model: string;
  layer: string;
  unit: number;
  normalize: 'filter' | 'layer';
  sample: number;
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Visualizing ConvNets/filter-grid',
  component: 'filter-grid',
  args: { model: 'digits', layer: '', unit: 0, normalize: 'filter', sample: 0, controls: 'all', presenter: false },
  argTypes: {
    model: { control: 'select', options: ['digits', 'fashion'] },
    layer: { control: 'select', options: ['', 'conv1', 'conv2', 'conv3'] },
    normalize: { control: 'inline-radio', options: ['filter', 'layer'] },
    unit: { control: { type: 'number', min: 0, max: 63, step: 1 } },
  },
  render: (a) => html`<filter-grid
    model=${a.model}
    layer=${a.layer}
    unit=${a.unit}
    normalize=${a.normalize}
    sample=${a.sample}
    controls=${a.controls}
    ?presenter=${a.presenter}
  ></filter-grid>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Playground: Story = {};
export const SharedScale: Story = { name: 'One scale across the layer', args: { normalize: 'layer' } };
export const DeeperLayer: Story = { name: 'A deeper layer, per input channel', args: { layer: 'conv2', unit: 3 } };
export const Fashion: Story = { args: { model: 'fashion', sample: 70 } };
export const ColourFilters: Story = {
  name: 'Colour filters of an RGB model (hosted fixture)',
  render: () => html`<filter-grid
    model="/packages/models/fixtures/hosted-224/model.json"
    model-meta="/packages/models/fixtures/hosted-224/meta.json"
    src="/apps/course-site/public/photos/chelsea.jpg"
  ></filter-grid>`,
};
export const ErrorState: Story = { name: 'Error: a layer that does not exist', args: { layer: 'conv9', unit: 40 } };
export const Presenter: Story = { args: { presenter: true, controls: 'normalize' } };
