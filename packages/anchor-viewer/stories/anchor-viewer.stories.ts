import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '../src/index.js';

interface Args {
  seed: number;
  src: string;
  sizes: string;
  ratios: string;
  fgIou: number;
  bgIou: number;
  nmsIou: number;
  topN: number;
  scoreThreshold: number;
  view: 'anchors' | 'objectness' | 'proposals' | 'detections' | 'losses';
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Detection/anchor-viewer',
  component: 'anchor-viewer',
  args: { seed: 7, src: '', sizes: '16,32,64', ratios: '0.5,1,2', fgIou: 0.7, bgIou: 0.3, nmsIou: 0.7, topN: 100, scoreThreshold: 0.5, view: 'anchors', controls: 'all', presenter: false },
  argTypes: {
    view: { control: 'inline-radio', options: ['anchors', 'objectness', 'proposals', 'detections', 'losses'] },
    fgIou: { control: { type: 'range', min: 0, max: 1, step: 0.05 } },
    bgIou: { control: { type: 'range', min: 0, max: 1, step: 0.05 } },
    nmsIou: { control: { type: 'range', min: 0, max: 1, step: 0.05 } },
    topN: { control: { type: 'range', min: 1, max: 500, step: 1 } },
    scoreThreshold: { control: { type: 'range', min: 0, max: 1, step: 0.05 } },
  },
  render: (a) => html`<anchor-viewer
    seed=${a.seed}
    src=${a.src}
    sizes=${a.sizes}
    ratios=${a.ratios}
    fg-iou=${a.fgIou}
    bg-iou=${a.bgIou}
    nms-iou=${a.nmsIou}
    top-n=${a.topN}
    score-threshold=${a.scoreThreshold}
    view=${a.view}
    controls=${a.controls}
    ?presenter=${a.presenter}
  ></anchor-viewer>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Playground: Story = {};
export const Objectness: Story = { name: 'Objectness per anchor shape', args: { view: 'objectness' } };
export const Proposals: Story = { name: 'Proposals before and after NMS', args: { view: 'proposals', topN: 300 } };
export const Detections: Story = { args: { view: 'detections', seed: 12 } };
export const Losses: Story = { name: 'The four losses, sampled anchors and RoIs', args: { view: 'losses' } };
export const OtherAnchors: Story = { name: 'Other anchor shapes (anchors view only)', args: { sizes: '24,48', ratios: '0.25,1,4' } };
export const BadSettings: Story = { name: 'Bad settings: clamped, with a quiet notice', args: { fgIou: 1.5, ratios: '' as string, topN: 0 } };
