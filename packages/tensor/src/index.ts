/**
 * @convlab/tensor: the shared tensor layer of ConvLab. Pure functions over TF.js tensors; nothing
 * here touches the DOM at import time, and the math runs in Node on the cpu backend too.
 */
export { tf } from './tf.js';
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Rank } from './tf.js';
export { ConvLabError, ImageLoadError, ModelLoadError, isAbortError } from './errors.js';
export type { ImageErrorCode, ModelErrorCode } from './errors.js';
export { ready, backendInfo, probeGpu, resetBackendForTesting, BACKENDS } from './backend.js';
export type { BackendName, BackendInfo, GpuProbe, ReadyOptions } from './backend.js';
export { fromImage, pixelsToTensor, borderMean, LUMA } from './image.js';
export { prepareInput } from './input.js';
export type { PreparedInput } from './input.js';
export type { ImageSource, PixelData, FromImageOptions } from './image.js';
export {
  colormapLut,
  colormapGradient,
  colorize,
  resolveRange,
  toRgba,
  toCanvas,
  paintOverlay,
  probabilities,
  topK,
} from './paint.js';
export type { ColormapName, RangeSpec, PaintOptions, PaintResult, OverlayOptions } from './paint.js';
export { loadModel, registerModel, registeredModels, clearModelCacheForTesting } from './models.js';
export type { LoadedModel, LoadModelOptions, ModelMeta, ModelEntry } from './models.js';
export {
  crossEntropy,
  inputGradient,
  gradientSign,
  fgsmStep,
  fgsm,
  iterativeFgsm,
  minimumFlipEpsilon,
  sigmoid,
  linearFgsm,
  formatSum,
  perturbationSummary,
} from './adversarial.js';
export type { Classifier, AttackOptions, IterativeOptions, FlipResult, LinearFgsmResult, LinearSide, PerturbationSummary } from './adversarial.js';
export { occlusionMap, occlusionPositions, occludedCopies, probabilityRows, classifierProbabilities, boxBlur } from './occlusion.js';
export type { ProbabilityFn, OcclusionFill, OcclusionOptions, OcclusionProgress, OcclusionResult } from './occlusion.js';
export { neuronGradient, saliencyMaps, saliencyDisplay, targetValue, visualisableLayers, checkTarget, ruleRelu, withReluRule, countRuleRelus, reluRuleBackward, RELU_RULES } from './saliency.js';
export type { ReluRule, VisualisedModel, NeuronTarget, NeuronGradientOptions, SaliencyMaps } from './saliency.js';
export { classVisualisation, ClassVisualiser, classVisGradient, stepFor, roll, gaussianBlur, gaussianKernel1d } from './class-viz.js';
export type { ClassVisOptions, ClassVisStep, ClassVisStart } from './class-viz.js';
