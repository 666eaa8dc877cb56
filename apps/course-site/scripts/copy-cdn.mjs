// Puts the all-widgets bundle (@convlab/all: convlab.js + assets/) into the built site at cdn/, so
// that pages which allow scripts can use <script type="module" src="…/cdn/convlab.js">.
import { cpSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const from = join(dirname(require.resolve('@convlab/all/package.json')), 'dist');
if (!existsSync(join(from, 'convlab.js'))) throw new Error(`${from}/convlab.js is missing: build @convlab/all first.`);
cpSync(from, join(here, '..', 'dist', 'cdn'), { recursive: true });
console.log('copied the all-widgets bundle to dist/cdn/');
