/** @convlab/detection-pipeline: defines <detection-pipeline> (the only side effect of the package). */
import { DetectionPipeline } from './detection-pipeline.js';

export { DetectionPipeline, PIPELINE_STEPS, PIPELINE_CONTROLS } from './detection-pipeline.js';
export type { PipelineStep, StepChangeDetail, MethodRow } from './detection-pipeline.js';

if (!customElements.get('detection-pipeline')) customElements.define('detection-pipeline', DetectionPipeline);

declare global {
  interface HTMLElementTagNameMap {
    'detection-pipeline': DetectionPipeline;
  }
  interface GlobalEventHandlersEventMap {
    'step-change': CustomEvent<import('./detection-pipeline.js').StepChangeDetail>;
  }
}
