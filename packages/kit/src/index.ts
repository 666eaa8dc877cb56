/**
 * @convlab/kit: the Lit parts every ConvLab widget uses. This entry point only exports (no side
 * effects); `@convlab/kit/define.js` registers the elements.
 */
export { tokens, lightPalette, darkPalette } from './tokens.js';
export type { ColorToken } from './tokens.js';
export { sharedStyles } from './shared.styles.js';
export { ConvLabElement } from './base.js';
export type { ConvLabTheme, ConvLabLoading } from './base.js';
export { LAZY_ROOT_MARGIN } from './base.js';
export { ConvLabStatus } from './status.js';
export type { StatusState, StatusBackend } from './status.js';
export { ConvLabImagePicker, samplesFromSprite, isImageFile } from './image-picker.js';
export type { PickerSample, ImageOrigin, ImageSelectDetail, SpriteMeta } from './image-picker.js';
export { ConvLabTensorCanvas, parseRange } from './tensor-canvas.js';
export type { CellPointerDetail, CellActivateDetail } from './tensor-canvas.js';
export { ConvLabDrawPad } from './draw-pad.js';
export type { DrawEndDetail } from './draw-pad.js';
export { ConvLabProbBars, parseLabels, formatPercent } from './prob-bars.js';
export { ConvLabSlider, decimalsOf } from './slider.js';
export type { SliderValueDetail, SliderValueEvent } from './slider.js';
export { clientToCell, clientToCellClamped } from './pointer.js';
export type { RectLike, CellHit } from './pointer.js';
export { savePng } from './save-png.js';
export { centreDigit, centreOfMass, areaResize, inkBounds, greyFromRgba, greyToImageData } from './digit.js';
export type { GreyImage, CentreDigitOptions } from './digit.js';
export { loadSpriteSamples } from './sprite-samples.js';
export type { SpriteSample } from './sprite-samples.js';
export { ModelSource, widgetControlStyles, INVERTED_NOTE, resolveSample, sampleConverter } from './model-source.js';
export { widgetLayoutStyles } from './widget-layout.styles.js';
export { sceneWidgetStyles } from './scene-widget.styles.js';
export { sceneRow, sceneRowFor, readSceneImage, readUpload } from './scene-row.js';
export type { SceneRowOptions, SceneHost, SceneImage, ScenePixels } from './scene-row.js';
export type { ModelSourceHost, ModelSourceOptions } from './model-source.js';
export { ConvLabNotice } from './notice.js';
export type { NoticeKind } from './notice.js';
export { clampSetting, chooseSetting, controlShown, SettingsNotices } from './settings.js';
export type { Setting, NumberSettingSpec } from './settings.js';
