import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '../src/index.js';

interface Args {
  content: string;
  styleImage: string;
  size: number;
  styleLayers: string;
  contentLayer: string;
  styleWeight: number;
  contentWeight: number;
  optimizer: 'adam' | 'lbfgs';
  steps: number;
  start: 'content' | 'style' | 'noise';
  encoderUrl: string;
  autorun: boolean;
  controls: string;
  presenter: boolean;
}

const meta: Meta<Args> = {
  title: 'Visualizing ConvNets/gram-style',
  component: 'gram-style',
  args: {
    content: 'chelsea',
    styleImage: 'mosaic',
    size: 128,
    styleLayers: 'block1_conv1,block2_conv1,block3_conv1,block4_conv1,block5_conv1',
    contentLayer: 'block4_conv2',
    styleWeight: 1e6,
    contentWeight: 1,
    optimizer: 'adam',
    steps: 200,
    start: 'content',
    encoderUrl: '',
    autorun: false,
    controls: 'all',
    presenter: false,
  },
  argTypes: {
    content: { control: 'select', options: ['chelsea', 'coffee', 'astronaut'] },
    styleImage: { control: 'select', options: ['mosaic', 'waves', 'brick', 'grass', 'gravel'] },
    size: { control: 'select', options: [128, 192, 256, 384, 512] },
    optimizer: { control: 'inline-radio', options: ['adam', 'lbfgs'] },
    start: { control: 'inline-radio', options: ['content', 'style', 'noise'] },
  },
  render: (a) => html`<gram-style
    content=${a.content}
    style-image=${a.styleImage}
    size=${a.size}
    style-layers=${a.styleLayers}
    content-layer=${a.contentLayer}
    style-weight=${a.styleWeight}
    content-weight=${a.contentWeight}
    optimizer=${a.optimizer}
    steps=${a.steps}
    start=${a.start}
    encoder-url=${a.encoderUrl}
    ?autorun=${a.autorun}
    controls=${a.controls}
    ?presenter=${a.presenter}
  ></gram-style>`,
};
export default meta;
type Story = StoryObj<Args>;

export const Playground: Story = {};
export const LbfgsFromNoise: Story = { name: 'L-BFGS from noise', args: { optimizer: 'lbfgs', start: 'noise', styleImage: 'waves', content: 'coffee' } };
export const GreyTexture: Story = { name: 'A grey texture as the style', args: { styleImage: 'brick', content: 'astronaut' } };
export const Minimal: Story = { name: 'Controls: run only', args: { controls: 'run' } };
export const HostedEncoder: Story = {
  name: 'encoder-url: a model with VGG19 layer names (test fixture)',
  args: { encoderUrl: new URL('../test/fixtures/vgg19-names/model.json', import.meta.url).href, contentLayer: 'block4_conv2' },
};
export const BadSettings: Story = { name: 'Bad settings: clamped with a notice', args: { size: 5000, steps: 0, contentLayer: 'fc7' } };
