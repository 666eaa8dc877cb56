import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '@convlab/models';
import '../src/index.js';

interface Args {
  model: string;
  count: number;
  perplexity: number;
  learningRate: string;
  seed: number;
  iterations: number;
  colorBy: 'class' | 'none';
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Visualizing ConvNets/tsne-map',
  component: 'tsne-map',
  args: { model: 'digits', count: 1000, perplexity: 30, learningRate: 'auto', seed: 1, iterations: 1000, colorBy: 'class', controls: 'all', presenter: false },
  argTypes: {
    model: { control: 'select', options: ['digits', 'fashion'] },
    count: { control: { type: 'range', min: 100, max: 5000, step: 100 } },
    perplexity: { control: { type: 'range', min: 2, max: 100, step: 1 } },
    colorBy: { control: 'inline-radio', options: ['class', 'none'] },
  },
  render: (a) => html`<tsne-map
    model=${a.model}
    count=${a.count}
    perplexity=${a.perplexity}
    learning-rate=${a.learningRate}
    seed=${a.seed}
    iterations=${a.iterations}
    color-by=${a.colorBy}
    controls=${a.controls}
    ?presenter=${a.presenter}
  ></tsne-map>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Playground: Story = {};
export const TwoThousand: Story = { name: '2,000 digits', args: { count: 2000 } };
export const Fashion: Story = { args: { model: 'fashion', count: 1000 } };
export const LowPerplexity: Story = { name: 'Perplexity 5: many small clumps', args: { perplexity: 5 } };
export const ErrorState: Story = { name: 'Clamped settings', args: { count: 20, perplexity: 500 } };
