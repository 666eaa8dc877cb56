/**
 * The toy mode's state, outside Lit: one data set, two networks that start from the same weights
 * (one trained on clean points, one with adversarial points mixed in), their optimisers, the epoch
 * count and the accuracy history. `step()` trains both for one epoch and measures them with one
 * download. All math is @convlab/tensor's; this class owns (and frees) the tensors.
 */
import {
  tf,
  createMlp,
  createOptimizer,
  disposeMlp,
  trainEpoch,
  mlpClassifier,
  decisionGrid,
  correctMask,
  robustCorrectMask,
  pointsTensor,
  makeToyData,
  addPoint,
  seededRandom,
  shuffledOrder,
  UNBOUNDED,
  type Mlp,
  type ToyData,
  type ToyDatasetName,
  type AttackName,
} from '@convlab/tensor';

export interface ToySettings {
  dataset: ToyDatasetName;
  points: number;
  eps: number;
  attack: AttackName;
  mix: number;
  learningRate: number;
  seed: number;
  network: 'mlp' | 'logistic';
}

export interface ModelStats {
  /** Mean training loss over the epoch. */
  loss: number;
  /** Clean accuracy on the evaluation points. */
  clean: number;
  /** Accuracy under PGD at eps on the evaluation points. */
  robust: number;
}

export interface EpochRecord {
  epoch: number;
  clean: ModelStats;
  adversarial: ModelStats;
}

/** What one frame paints: both grids, and per training point whether each model survives the attack. */
export interface ToyFrame {
  grids: [Float32Array, Float32Array];
  /** 1 where the training point is still classified correctly after PGD at eps. */
  survives: [Float32Array, Float32Array];
}

/** Grid resolution of the decision maps. */
export const GRID = 48;
/** The plane shown: [-VIEW, VIEW] on both axes. */
export const VIEW = 1.5;
/** Steps of the PGD attack that measures robust accuracy. */
export const EVAL_STEPS = 10;

/** Two point sets one after the other. */
function concatToy(a: ToyData, b: ToyData): ToyData {
  const points = new Float32Array(a.points.length + b.points.length);
  points.set(a.points);
  points.set(b.points, a.points.length);
  const labels = new Int32Array(a.labels.length + b.labels.length);
  labels.set(a.labels);
  labels.set(b.labels, a.labels.length);
  return { points, labels };
}

export class ToyRun {
  data: ToyData;
  /** Held-out points of the same distribution (the training points for 'custom'). */
  evalData: ToyData;
  epoch = 0;
  history: EpochRecord[] = [];
  frame?: ToyFrame;
  private models: [Mlp, Mlp];
  private optimizers: [tf.Optimizer, tf.Optimizer];
  private rand: () => number;

  constructor(readonly settings: ToySettings) {
    const { dataset, points, seed } = settings;
    this.data = makeToyData(dataset, points, { seed });
    this.evalData = dataset === 'custom' ? this.data : makeToyData(dataset, points, { seed: seed + 1000 });
    const hidden = settings.network === 'logistic' ? [] : [16, 16];
    // The same seed: both networks start from the same weights, so only the training differs.
    this.models = [createMlp({ hidden, seed }), createMlp({ hidden, seed })];
    this.optimizers = [createOptimizer(settings.learningRate), createOptimizer(settings.learningRate)];
    this.rand = seededRandom(seed + 7);
  }

  /** True while both classes have points (training needs both). */
  get trainable(): boolean {
    const l = this.data.labels;
    return l.length > 0 && l.some((v) => v === 0) && l.some((v) => v === 1);
  }

  /** Adds a training point (the reader clicked it in); for 'custom' it also counts in the accuracy. */
  add(x: number, y: number, label: number): void {
    const custom = this.evalData === this.data;
    this.data = addPoint(this.data, x, y, label);
    if (custom) this.evalData = this.data;
  }

  /** Trains both networks for one epoch (unless `train` is false) and measures them. */
  async step(train = true): Promise<EpochRecord | undefined> {
    const s = this.settings;
    const order = shuffledOrder(this.data.labels.length, this.rand);
    const batchSize = Math.max(16, Math.ceil(this.data.labels.length / 8));
    const canTrain = train && this.trainable;
    const losses = canTrain
      ? this.models.map((m, i) =>
          trainEpoch(m, this.optimizers[i], this.data, {
            epsilon: s.eps,
            mix: i === 0 ? 0 : s.mix,
            attack: s.attack,
            steps: 5,
            batchSize,
            order,
          }),
        )
      : [tf.scalar(0), tf.scalar(0)];
    const nEval = this.evalData.labels.length;
    const nTrain = this.data.labels.length;
    // Everything the frame needs in one tensor, read with one download. The PGD that measures robust
    // accuracy (held-out points) and the one that marks the training points that survive run as one
    // batch per network (each point's attack depends on that point only), which halves the kernels
    // it dispatches; for 'custom' the two sets are the same points and are attacked once.
    const same = this.evalData === this.data;
    const packed = tf.tidy(() => {
      const parts: tf.Tensor[] = [];
      const both: ToyData = same ? this.data : concatToy(this.evalData, this.data);
      const nBoth = both.labels.length;
      const xb = nBoth ? pointsTensor(both) : undefined;
      const lb = Array.from(both.labels);
      const xe = xb && nEval ? tf.slice(xb, [0, 0, 0, 0], [nEval, -1, -1, -1]) : undefined;
      const le = lb.slice(0, nEval);
      const opts = { attack: 'pgd' as const, steps: EVAL_STEPS, clip: UNBOUNDED };
      this.models.forEach((m, i) => {
        const f = mlpClassifier(m);
        const robust = xb ? robustCorrectMask(f, xb, lb, s.eps, opts) : undefined;
        parts.push(tf.reshape(losses[i], [1]));
        parts.push(xe && robust ? tf.stack([tf.sum(correctMask(f, xe, le)), tf.sum(tf.slice(robust, 0, nEval))]) : tf.zeros([2]));
        parts.push(tf.reshape(decisionGrid(m, { x: [-VIEW, VIEW], y: [-VIEW, VIEW], size: GRID }), [-1]));
        if (nTrain && robust) parts.push(same ? robust : tf.slice(robust, nEval, nTrain));
      });
      return tf.concat(parts);
    });
    tf.dispose(losses);
    const v = await packed.data();
    packed.dispose();
    let o = 0;
    const stats: ModelStats[] = [];
    const grids: Float32Array[] = [];
    const survives: Float32Array[] = [];
    for (let i = 0; i < 2; i++) {
      const loss = v[o];
      const clean = nEval ? v[o + 1] / nEval : 0;
      const robust = nEval ? v[o + 2] / nEval : 0;
      o += 3;
      grids.push(Float32Array.from(v.subarray(o, o + GRID * GRID)));
      o += GRID * GRID;
      survives.push(Float32Array.from(v.subarray(o, o + nTrain)));
      o += nTrain;
      stats.push({ loss, clean, robust });
    }
    this.frame = { grids: [grids[0], grids[1]], survives: [survives[0], survives[1]] };
    if (!canTrain) return undefined;
    this.epoch++;
    const rec: EpochRecord = { epoch: this.epoch, clean: stats[0], adversarial: stats[1] };
    this.history.push(rec);
    return rec;
  }

  dispose(): void {
    this.models.forEach(disposeMlp);
    this.optimizers.forEach((o) => o.dispose());
  }
}
