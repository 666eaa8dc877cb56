import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '@convlab/models';
import '../src/index.js';

interface Args {
  model: string;
  targetClass: string;
  layer: string;
  unit: number;
  grid: boolean;
  lambda: number;
  steps: number;
  learningRate: number;
  jitter: number;
  blur: number;
  start: 'zeros' | 'noise' | 'grey' | 'sample';
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Visualizing ConvNets/class-viz',
  component: 'class-viz',
  args: { model: 'digits', targetClass: '3', layer: '', unit: 0, grid: false, lambda: 0.01, steps: 200, learningRate: 0.05, jitter: 1, blur: 0.5, start: 'zeros', controls: 'all', presenter: false },
  argTypes: {
    model: { control: 'select', options: ['digits', 'fashion'] },
    start: { control: 'inline-radio', options: ['zeros', 'noise', 'grey', 'sample'] },
    layer: { control: 'select', options: ['', 'conv1', 'conv2', 'conv3', 'features'] },
    lambda: { control: { type: 'range', min: 0, max: 0.2, step: 0.001 } },
    learningRate: { control: { type: 'range', min: 0.001, max: 0.5, step: 0.001 } },
    jitter: { control: { type: 'range', min: 0, max: 4, step: 1 } },
    blur: { control: { type: 'range', min: 0, max: 2, step: 0.1 } },
  },
  render: (a) => html`<class-viz
    model=${a.model}
    target-class=${a.targetClass}
    layer=${a.layer}
    unit=${a.unit}
    ?grid=${a.grid}
    lambda=${a.lambda}
    steps=${a.steps}
    learning-rate=${a.learningRate}
    jitter=${a.jitter}
    blur=${a.blur}
    start=${a.start}
    controls=${a.controls}
    ?presenter=${a.presenter}
  ></class-viz>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Playground: Story = {};
export const AllClasses: Story = { name: 'All classes in a grid', args: { grid: true, steps: 150 } };
export const Fashion: Story = { name: 'Fashion: a trouser', args: { model: 'fashion', targetClass: '1' } };
export const NeuronMode: Story = { name: 'Neuron mode: units of conv3', args: { layer: 'conv3', grid: true, steps: 100 } };
export const NoRegularisers: Story = { name: 'No regularisers (lambda, jitter, blur off)', args: { lambda: 0, jitter: 0, blur: 0 } };
export const FromNoise: Story = { args: { start: 'noise', targetClass: '8' } };
