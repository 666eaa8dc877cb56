import type { Preview } from '@storybook/web-components-vite';
import { setCustomElementsManifest } from '@storybook/web-components-vite';
import { manifestAsWritten } from './as-written';

// One manifest for the docs tables and controls, merged from every package's generated
// custom-elements.json (written by `cem analyze` during each package's build).
const manifests = import.meta.glob<{ modules?: unknown[] }>('../packages/*/custom-elements.json', {
  eager: true,
  import: 'default',
});
// Descriptions render as written: Markdown signs outside `code` are escaped (as-written.ts).
setCustomElementsManifest(
  manifestAsWritten({
    schemaVersion: '1.0.0',
    modules: Object.values(manifests).flatMap((m) => m.modules ?? []),
  }),
);

const preview: Preview = {
  tags: ['autodocs'],
  parameters: {
    controls: { expanded: true },
    a11y: { test: 'error' },
  },
};
export default preview;
