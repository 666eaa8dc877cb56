import type { StorybookConfig } from '@storybook/web-components-vite';
import remarkMath from 'remark-math';
import remarkGfm from 'remark-gfm';
import rehypeKatex from 'rehype-katex';
import { rehypeMathInCode } from './math-in-code';

const config: StorybookConfig = {
  framework: '@storybook/web-components-vite',
  stories: ['../docs/*.mdx', '../packages/*/stories/*.mdx', '../packages/*/stories/*.stories.ts'],
  addons: [
    {
      // Formulas in the docs pages ($…$ and $$…$$) are rendered with KaTeX as MathML; tables are GitHub-flavoured Markdown.
      name: '@storybook/addon-docs',
      // Formulas whose braces hold a backslash go in `$…$` inline code or a ```math fence (math-in-code.ts).
      options: {
        mdxPluginOptions: {
          mdxCompileOptions: { remarkPlugins: [remarkGfm, remarkMath], rehypePlugins: [rehypeMathInCode, [rehypeKatex, { output: 'mathml' }]] },
        },
      },
    },
    '@storybook/addon-a11y',
  ],
  core: { disableTelemetry: true },
  // Model weights, sample sprites and the WASM binaries are served from the Storybook build itself.
  staticDirs: [],
};
export default config;
