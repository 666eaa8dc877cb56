import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '@convlab/models';
import '../src/index.js';

interface Args {
  mode: 'toy' | 'digits';
  dataset: 'moons' | 'circles' | 'blobs' | 'custom';
  eps: number;
  attack: 'fgsm' | 'pgd';
  mix: number;
  epochs: number;
  learningRate: number;
  seed: number;
  points: number;
  network: 'mlp' | 'logistic';
  sample: number;
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Adversarial examples/adv-training',
  component: 'adv-training',
  args: {
    mode: 'toy',
    dataset: 'moons',
    eps: 0.15,
    attack: 'fgsm',
    mix: 0.5,
    epochs: 150,
    learningRate: 0.02,
    seed: 1,
    points: 200,
    network: 'mlp',
    sample: 0,
    controls: 'all',
    presenter: false,
  },
  argTypes: {
    mode: { control: 'inline-radio', options: ['toy', 'digits'] },
    dataset: { control: 'select', options: ['moons', 'circles', 'blobs', 'custom'] },
    attack: { control: 'inline-radio', options: ['fgsm', 'pgd'] },
    network: { control: 'inline-radio', options: ['mlp', 'logistic'] },
    eps: { control: { type: 'range', min: 0, max: 0.5, step: 0.01 } },
    mix: { control: { type: 'range', min: 0, max: 1, step: 0.05 } },
  },
  render: (a) => html`<adv-training
    mode=${a.mode}
    dataset=${a.dataset}
    eps=${a.eps}
    attack=${a.attack}
    mix=${a.mix}
    epochs=${a.epochs}
    learning-rate=${a.learningRate}
    seed=${a.seed}
    points=${a.points}
    network=${a.network}
    sample=${a.sample}
    controls=${a.controls}
    ?presenter=${a.presenter}
  ></adv-training>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Toy: Story = { name: 'Toy: moons, trained live' };
export const Circles: Story = { args: { dataset: 'circles', eps: 0.15 } };
export const Logistic: Story = { name: 'Logistic regression (the slide’s linear model)', args: { dataset: 'blobs', network: 'logistic', eps: 0.2 } };
export const Custom: Story = { name: 'Click your own points', args: { dataset: 'custom', epochs: 300 } };
export const Digits: Story = { name: 'Digits: clean vs robust model', args: { mode: 'digits', eps: 0.3, sample: 70 } };
export const BadSettings: Story = { name: 'Bad settings: clamped with a notice', render: () => html`<adv-training eps="5" mix="2" dataset="spirals"></adv-training>` };
