import type { StorybookConfig } from '@storybook/web-components-vite';

const config: StorybookConfig = {
  framework: '@storybook/web-components-vite',
  stories: ['../docs/*.mdx', '../packages/*/stories/*.mdx', '../packages/*/stories/*.stories.ts'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y'],
  core: { disableTelemetry: true },
  // Model weights, sample sprites and the WASM binaries are served from the Storybook build itself.
  staticDirs: [],
};
export default config;
