/**
 * The digits mode's state, outside Lit: the clean `digits` model and the adversarially trained
 * `digits-robust` model, the 100 shipped test images as one batch, their robust-accuracy curves
 * (FGSM with @convlab/tensor's robustnessCurve, PGD with pgdRobustnessCurve: an image counts as robust
 * at eps when every PGD iterate at every eps' <= eps is classified correctly, so the PGD curve never
 * rises) and one sample attacked on both. Both models' input gradients are computed by hand
 * (fastGradientClassifier). This class owns (and frees) its tensors.
 */
import { tf, loadModel, pixelsToTensor, robustnessCurve, pgdRobustnessCurve, fastGradientClassifier, adversarialBatch, type LoadedModel, type Tensor4D, type AttackName } from '@convlab/tensor';
import { samplesFor } from '@convlab/models';
import { loadSpriteSamples, type SpriteSample } from '@convlab/kit';

export const MODEL_IDS = ['digits', 'digits-robust'] as const;
export type DigitsModelId = (typeof MODEL_IDS)[number];
/** The epsilons of the FGSM curves, in [0, 1] pixels (FGSM: one gradient per image, then a forward pass per eps). */
export const CURVE_EPSILONS = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5];
/** The epsilons of the PGD curves: coarser, since PGD costs up to PGD_STEPS gradients per eps. */
export const PGD_EPSILONS = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
/** Steps of the iterative attack (PGD without random start: iterated FGSM with projection). */
export const PGD_STEPS = 10;

/** Accuracy per eps: `fgsm[j]` at CURVE_EPSILONS[j], `pgd[j]` at PGD_EPSILONS[j] (undefined: not measured yet). */
export type Curves = Record<DigitsModelId, { fgsm: (number | undefined)[]; pgd: (number | undefined)[] }>;

export interface SampleAttack {
  /** x' and x' - x, [1, 28, 28, 1]. */
  xAdv: Tensor4D;
  delta: Tensor4D;
  /** softmax f(x) and f(x'). */
  clean: number[];
  adversarial: number[];
}

export class DigitsRun {
  models?: Record<DigitsModelId, LoadedModel>;
  samples: SpriteSample[] = [];
  x?: Tensor4D;
  labels: number[] = [];
  curves: Curves = {
    digits: { fgsm: [], pgd: [] },
    'digits-robust': { fgsm: [], pgd: [] },
  };
  attacks?: Record<DigitsModelId, SampleAttack>;
  private disposed = false;

  /** Loads both models (progress 0..1 over both) and the shipped samples. */
  async load(onProgress: (f: number) => void, signal: AbortSignal): Promise<void> {
    const parts = [0, 0];
    const report = () => onProgress((parts[0] + parts[1]) / 2);
    const [a, b] = await Promise.all(
      MODEL_IDS.map((id, i) =>
        loadModel(id, {
          signal,
          onProgress: (f) => {
            parts[i] = f;
            report();
          },
        }),
      ),
    );
    signal.throwIfAborted();
    const files = samplesFor('digits');
    this.samples = await loadSpriteSamples(files, a.meta.labels);
    signal.throwIfAborted();
    if (this.disposed) return;
    this.models = { digits: a, 'digits-robust': b };
    this.labels = this.samples.map((s) => s.classIndex);
    this.x = tf.tidy(() => tf.concat(this.samples.map((s) => pixelsToTensor(s.src, 1))) as Tensor4D);
  }

  private classifier(id: DigitsModelId) {
    return fastGradientClassifier(this.models![id]);
  }

  /**
   * Fills the curves: FGSM for both models first (one gradient per image, then one forward pass per
   * eps), then PGD for each model (one pgdRobustnessCurve call); `onUpdate` with the fraction done, so the
   * chart grows.
   */
  async computeCurves(onUpdate: (done: number) => void, signal: AbortSignal): Promise<Curves> {
    if (!this.models || !this.x) throw new Error('The models are not loaded yet.');
    const x = this.x;
    // FGSM is about a tenth of the work (1 gradient and 11 forward passes per image against up to 50 gradients).
    const share = { fgsm: 0.1, pgd: 0.4 };
    let done = 0;
    for (const id of MODEL_IDS) {
      this.curves[id].fgsm = await robustnessCurve(this.classifier(id), x, this.labels, CURVE_EPSILONS, { attack: 'fgsm', signal });
      this.curves[id].pgd = [this.curves[id].fgsm[0]];
      onUpdate((done += share.fgsm));
    }
    for (const id of MODEL_IDS) {
      const start = done;
      this.curves[id].pgd = await pgdRobustnessCurve(this.classifier(id), x, this.labels, PGD_EPSILONS, {
        steps: PGD_STEPS,
        signal,
        onProgress: (f) => onUpdate(start + f * share.pgd),
      });
      onUpdate((done += share.pgd));
    }
    return this.curves;
  }

  /** An image of the reader's (uploaded, dropped, pasted) in place of a shipped sample; undefined to go back. */
  custom?: { x: Tensor4D; label: number };

  /** Uses the reader's image (28x28x1 in [0, 1]); its label is the clean model's prediction. */
  async setCustom(x: Tensor4D): Promise<number> {
    const pred = tf.tidy(() => tf.argMax(this.models!.digits.logits(x), -1));
    const label = (await pred.data())[0];
    pred.dispose();
    this.custom?.x.dispose();
    this.custom = { x, label };
    return label;
  }

  clearCustom(): void {
    this.custom?.x.dispose();
    this.custom = undefined;
  }

  /** Attacks sample `index` (or the reader's image) on both models at eps; the previous attack's tensors are freed later. */
  async attackSample(index: number, eps: number, attack: AttackName): Promise<void> {
    if (!this.models || !this.x) return;
    const custom = this.custom;
    const label = custom ? custom.label : this.labels[index];
    const made = MODEL_IDS.map((id) =>
      tf.tidy(() => {
        const f = this.classifier(id);
        const x1 = custom ? custom.x : (tf.slice(this.x!, [index, 0, 0, 0], [1, -1, -1, -1]) as Tensor4D);
        const xAdv = adversarialBatch(f, x1, [label], eps, { attack, steps: PGD_STEPS });
        const delta = tf.sub(xAdv, x1) as Tensor4D;
        const probs = tf.concat([tf.softmax(f(x1)), tf.softmax(f(xAdv))]);
        return { xAdv, delta, probs };
      }),
    );
    const rows = await Promise.all(made.map((m) => m.probs.array() as Promise<number[][]>));
    made.forEach((m) => m.probs.dispose());
    if (this.disposed) {
      made.forEach((m) => tf.dispose([m.xAdv, m.delta]));
      return;
    }
    const old = this.attacks;
    this.attacks = {
      digits: { xAdv: made[0].xAdv, delta: made[0].delta, clean: rows[0][0], adversarial: rows[0][1] },
      'digits-robust': { xAdv: made[1].xAdv, delta: made[1].delta, clean: rows[1][0], adversarial: rows[1][1] },
    };
    this.oldAttacks.push(old);
  }

  /** Attacks replaced while their canvases may still hold them: freed by `releaseOld()` after a paint. */
  private oldAttacks: (Record<DigitsModelId, SampleAttack> | undefined)[] = [];

  releaseOld(): void {
    for (const a of this.oldAttacks.splice(0)) if (a) for (const id of MODEL_IDS) tf.dispose([a[id].xAdv, a[id].delta]);
  }

  dispose(): void {
    this.disposed = true;
    this.releaseOld();
    if (this.attacks) for (const id of MODEL_IDS) tf.dispose([this.attacks[id].xAdv, this.attacks[id].delta]);
    this.attacks = undefined;
    this.x?.dispose();
    this.x = undefined;
    this.clearCustom();
  }
}
