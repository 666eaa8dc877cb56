/**
 * @convlab/scenes: seeded scenes of circles, squares and triangles with their boxes, instance masks
 * and semantic maps, byte-identical in every browser and in Node. No TF.js, no DOM at import.
 */
export { scene, objectMask, toRgba, resolveOptions, CLASSES, SHAPE_CLASSES } from './scene.js';
export type { Scene, SceneObject, SceneOptions, ShapeClass, Box } from './scene.js';
export { BACKGROUNDS, texturePixels } from './backgrounds.js';
export type { BackgroundKind, Rgb } from './backgrounds.js';
export { drawScene, composeScene, CLASS_COLOURS, INSTANCE_COLOURS } from './draw.js';
export type { DrawOptions } from './draw.js';
export { SPLITS, splitSeed } from './splits.js';
export type { Split } from './splits.js';
export { Rng } from './rng.js';
export { sinDeg, cosDeg } from './trig.js';
export { sceneDigest, sceneBytes } from './digest.js';
