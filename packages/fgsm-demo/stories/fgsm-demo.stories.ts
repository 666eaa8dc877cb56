import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '../src/index.js';

interface Args {
  model: string;
  sample: number;
  src: string;
  epsilon: number;
  mode: 'untargeted' | 'targeted' | 'iterative';
  target: number;
  steps: number;
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Adversarial examples/fgsm-demo',
  component: 'fgsm-demo',
  args: { model: 'digits', sample: 0, src: '', epsilon: 0.1, mode: 'untargeted', target: 3, steps: 10, controls: 'all', presenter: false },
  argTypes: {
    model: { control: 'select', options: ['digits', 'fashion'] },
    mode: { control: 'inline-radio', options: ['untargeted', 'targeted', 'iterative'] },
    epsilon: { control: { type: 'range', min: 0, max: 1, step: 0.005 } },
    sample: { control: { type: 'number', min: 0, max: 99 } },
  },
  render: (a) => html`<fgsm-demo
    model=${a.model}
    sample=${a.sample}
    src=${a.src}
    epsilon=${a.epsilon}
    mode=${a.mode}
    target=${a.target}
    steps=${a.steps}
    controls=${a.controls}
    ?presenter=${a.presenter}
  ></fgsm-demo>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Playground: Story = {};
export const Untargeted: Story = { args: { sample: 70, epsilon: 0.15 } };
export const Targeted: Story = { args: { mode: 'targeted', target: 3, epsilon: 0.25, sample: 10 } };
export const Iterative: Story = { args: { mode: 'iterative', steps: 10, epsilon: 0.1, sample: 20 } };
export const Fashion: Story = { args: { model: 'fashion', sample: 0, epsilon: 0.05 } };
export const OnlyTheSlider: Story = { name: 'Slide: only the epsilon slider', args: { controls: 'epsilon', presenter: true } };
export const ErrorState: Story = { name: 'Error: a model URL that does not exist', args: { model: './no-such-model/model.json' } };

export const LinearExample: StoryObj<{ epsilon: number; x: string; w: string; b: number }> = {
  name: 'The worked logistic-regression example',
  args: { epsilon: 0.1, x: '1, -2, -2, 3, -1, 2, -2, -3', w: '2, -1, -1, -1, 2, -1, -1, 1', b: 0 },
  argTypes: { epsilon: { control: { type: 'range', min: 0, max: 1, step: 0.05 } } },
  render: (a) => html`<fgsm-linear epsilon=${a.epsilon} x=${a.x} w=${a.w} b=${a.b}></fgsm-linear>`,
};
