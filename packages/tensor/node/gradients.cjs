// Node only (the "node" condition of "#tf-gradients" in package.json). tfjs-core's ESM file
// register_all_gradients.js cannot be loaded by Node (extension-less imports), while the
// @tensorflow/tfjs union's Node bundle registers every gradient into the shared global registry.
require('@tensorflow/tfjs');
