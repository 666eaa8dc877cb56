/**
 * @convlab/tensor: the shared tensor layer of ConvLab. Pure functions over TF.js tensors; nothing
 * here touches the DOM at import time, and the math runs in Node on the cpu backend too.
 */
export { tf } from './tf.js';
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Rank } from './tf.js';
export { ConvLabError, ImageLoadError, ModelLoadError, isAbortError, isHtmlResponse } from './errors.js';
export type { ImageErrorCode, ModelErrorCode } from './errors.js';
export { ready, backendInfo, wasmThreadCount, probeGpu, resetBackendForTesting, BACKENDS } from './backend.js';
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
  exactSign,
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
export { modelLayers, convLayers, findLayer, layerKernel, normalizeKernels, layerActivations, penultimateLayer, LayerError } from './filters.js';
export type { LayerInfo, KernelNormalization, UnitSelectDetail } from './filters.js';
export { neuronGradient, saliencyMaps, saliencyDisplay, targetValue, visualisableLayers, checkTarget, ruleRelu, withReluRule, countRuleRelus, reluRuleBackward, RELU_RULES } from './saliency.js';
export type { ReluRule, VisualisedModel, NeuronTarget, NeuronGradientOptions, SaliencyMaps } from './saliency.js';
export { classVisualisation, ClassVisualiser, classVisGradient, stepFor, roll, gaussianBlur, gaussianKernel1d } from './class-viz.js';
export type { ClassVisOptions, ClassVisStep, ClassVisStart } from './class-viz.js';
export {
  seededRandom,
  normalFrom,
  shuffledOrder,
  TOY_DATASETS,
  makeMoons,
  makeCircles,
  makeBlobs,
  makeToyData,
  addPoint,
  pointsTensor,
  createMlp,
  mlpFromWeights,
  disposeMlp,
  mlpLogits,
  mlpClassifier,
  mlpLossGradient,
  decisionGrid,
  ATTACKS,
  UNBOUNDED,
  adversarialBatch,
  correctMask,
  robustCorrectMask,
  correctCount,
  robustCorrectCount,
  robustnessCurve,
  pgdRobustnessCurve,
  trainEpoch,
  createOptimizer,
  toyMetrics,
} from './adversarial-training.js';
export type { ToyDatasetName, ToyData, ToyOptions, Mlp, MlpOptions, AttackName, RobustOptions, CurveOptions, EpochOptions, ToyMetrics } from './adversarial-training.js';
export {
  stackMlps,
  createMlpStack,
  unstackMlp,
  disposeMlpStack,
  createFlatAdam,
  disposeFlatAdam,
  flatAdamStep,
  mlpStackEpoch,
  mlpStackLogits,
  mlpStackCorrectMask,
  mlpStackRobustMask,
  mlpStackGrid,
} from './mlp-stack.js';
export type { MlpStack, FlatAdam, StackAttackOptions, StackEpochOptions } from './mlp-stack.js';
export { fastGradientClassifier, type GradientOptions } from './sequential-gradient.js';
export { boxArea, boxIou, encodeBoxes, decodeBoxes, clipBoxes, xyxyToYxyx, asBoxes, BBOX_XFORM_CLIP } from './boxes.js';
export type { BoxWeights } from './boxes.js';
export { anchorGrid, cellAnchors, labelAnchors, roundHalfEven } from './anchors.js';
export type { AnchorGridOptions, LabelAnchorsOptions, AnchorLabels } from './anchors.js';
export { nms, batchedNms, nmsIndices } from './nms.js';
export { roiPool, roiAlign, roiPoolBins, binMaxima, strongestChannel } from './roi.js';
export type { RoiBoxes, RoiBin, RoiAlignOptions } from './roi.js';
export { receptiveField, receptiveRegion } from './receptive-field.js';
export type { RfLayer, RfInfo } from './receptive-field.js';
export { averagePrecision, meanAveragePrecision, iouOf, confusionMatrix, iouFromConfusion, meanIoU } from './metrics.js';
export type { Detection, GroundTruthBox, ApResult, IouResult, XyxyBox } from './metrics.js';
export { adamStep, disposeAdam, Lbfgs } from './lbfgs.js';
export type { AdamOptions, AdamState, ValueAndGradient, LbfgsOptions, LbfgsStep } from './lbfgs.js';
export { gram, positionOuterProduct, partialGram, featureSize, styleLoss, contentLoss, totalLoss, encode, applyLayer, layerVjp, layerwiseValueAndGrad, encoderLayerNames, encoderChannels, disposeEncoder, randomVgg, RANDOM_VGG, mulberry32, encoderFromLayersModel, loadEncoder, noiseImage, StyleTransfer, ENCODER_PREPROCESS } from './style.js';
export type { StyleTargets, LossWeights, StyleLossParts, EncoderLayer, EncoderPreprocess, StyleEncoder, RandomVggConfig, StyleOptimizer, StyleStart, StyleTransferOptions, StyleStepResult } from './style.js';
export { spriteToBatch, spatialLayers, layerReceptiveField, receptiveBox, unitMaxima, topPatches } from './top-patches.js';
export type { UnitMaxima, UnitMaximaOptions, TopPatch } from './top-patches.js';
export { Tsne, tsne, affinities, nearestNeighbours, jointProbabilities, placeByNeighbours, clampPerplexity, neighboursFor } from './tsne.js';
export type { TsneOptions, SparseP } from './tsne.js';
export { detect, loadDetector, filterProposals, pasteMask, featureChannels } from './detector.js';
export type { DetectorConfig, DetectorParts, PartModel, DetectOptions, DetectResult, DetectedObject, ProposalSet } from './detector.js';
export { smoothL1, bceWithLogits, crossEntropy as crossEntropyLogits, sampleFgBg, rpnLoss, headLoss, detectorLosses } from './detector-losses.js';
export type { FgBgSample, GroundTruth, DetectorLossOptions, DetectorLosses } from './detector-losses.js';
export { felzenszwalb, pixelGraph, segmentGraph, smoothChannels, gaussianTaps, Scratch } from './segment.js';
export type { ChannelImage, SegmentOptions, Segmentation, PixelGraph } from './segment.js';
export { selectiveSearch, searchStrategies, toColorSpace, pixelBins, initialRegions, groupRegions, proposalRecall, hierarchyAt } from './selective-search.js';
export type { SelectiveSearchOptions, SelectiveSearchResult, SearchStrategy, SearchMode, ColorSpace, SimilarityName, GroupingStep, Hierarchy, InitialRegions, RgbImage, RecallResult, ProposalBox, HierarchyState } from './selective-search.js';
export { classifierSpec, denseToConvKernel, toConvolutional, disposeConvolutional, scoreWindows, scoreWindowsOneByOne, windowGrid, warpBoxes, warpCrops } from './sliding-window.js';
export type { ClassifierLayer, ClassifierSpec, ConvolutionalClassifier, OneByOneResult } from './sliding-window.js';
export { decodeBox, decodeDetections, pyramidLevel, slidingWindowDetect, rcnnDetect, fastRcnnDetect, windowClassProbabilities } from './detection-pipeline.js';
export type { PipelineDetection, DecodeOptions, WindowScale, SlidingWindowResult, CropClassifyResult, FastRcnnResult } from './detection-pipeline.js';
export { fcnLayers, multiplyAdds, fcnRegion, fcnRfPath, fcnInput, fcnInputNorm, fcnLogits, semanticMap, effectiveReceptiveField, erfSummary, slidingWindowSegment, countRegions, labelRegions, mergedObjects } from './fcn.js';
export type { FcnLayer, PixelRegion, ErfSummary, SlidingWindowSegmentResult } from './fcn.js';
