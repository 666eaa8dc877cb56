import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '../src/index.js';

interface Args {
  seed: number;
  src: string;
  step: 'sliding-window' | 'proposals' | 'r-cnn' | 'fast-r-cnn' | 'faster-r-cnn';
  windowSizes: string;
  proposals: number;
  poolSize: number;
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Detection/detection-pipeline',
  component: 'detection-pipeline',
  args: { seed: 3, src: '', step: 'sliding-window', windowSizes: '32,48,64', proposals: 100, poolSize: 7, controls: 'all', presenter: false },
  argTypes: {
    step: { control: 'inline-radio', options: ['sliding-window', 'proposals', 'r-cnn', 'fast-r-cnn', 'faster-r-cnn'] },
    proposals: { control: { type: 'range', min: 1, max: 300, step: 1 } },
    poolSize: { control: { type: 'range', min: 1, max: 14, step: 1 } },
  },
  render: (a) => html`<detection-pipeline
    seed=${a.seed}
    src=${a.src}
    step=${a.step}
    window-sizes=${a.windowSizes}
    proposals=${a.proposals}
    pool-size=${a.poolSize}
    controls=${a.controls}
    ?presenter=${a.presenter}
  ></detection-pipeline>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Playground: Story = {};
export const Proposals: Story = { name: 'Selective search and its grouping', args: { step: 'proposals' } };
export const Rcnn: Story = { name: 'R-CNN: a pass per proposal', args: { step: 'r-cnn', proposals: 50 } };
export const FastRcnn: Story = { name: 'Fast R-CNN: RoI pooling', args: { step: 'fast-r-cnn' } };
export const FasterRcnn: Story = { name: 'Faster R-CNN: the RPN proposes', args: { step: 'faster-r-cnn' } };
export const BadSettings: Story = { name: 'Bad settings: clamped, with a quiet notice', args: { proposals: 0, poolSize: 99, windowSizes: 'abc,48' } };
