// Installs the workspace's dependencies when they are missing or older than the lock file.
// Used by `npm run build`, `npm run bench` and `npm run storybook` (npm start and npm test do it themselves).
import { ensureDeps } from './lib.mjs';

ensureDeps();
