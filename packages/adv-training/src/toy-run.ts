/**
 * The toy mode's state, outside Lit: one data set, two networks that start from the same weights
 * (one trained on clean points, one with adversarial points mixed in), their optimiser state, the
 * epoch count and the accuracy history. The two networks are one block-diagonal MlpStack, so an epoch
 * of both costs the TF.js kernels of one (about 75 per batch, 250 for the measurement). `step()`
 * trains both for one epoch and measures them with one download. All math is @convlab/tensor's; this
 * class owns (and frees) the tensors.
 */
import {
  tf,
  createMlpStack,
  disposeMlpStack,
  createFlatAdam,
  disposeFlatAdam,
  mlpStackEpoch,
  mlpStackCorrectMask,
  mlpStackRobustMask,
  mlpStackGrid,
  makeToyData,
  addPoint,
  seededRandom,
  shuffledOrder,
  type MlpStack,
  type FlatAdam,
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
  private stack: MlpStack;
  private adam: FlatAdam;
  private rand: () => number;

  constructor(readonly settings: ToySettings) {
    const { dataset, points, seed } = settings;
    this.data = makeToyData(dataset, points, { seed });
    this.evalData = dataset === 'custom' ? this.data : makeToyData(dataset, points, { seed: seed + 1000 });
    const hidden = settings.network === 'logistic' ? [] : [16, 16];
    // The same seed: both networks start from the same weights, so only the training differs.
    this.stack = createMlpStack({ hidden, seed, count: 2 });
    this.adam = createFlatAdam(this.stack.params.size, settings.learningRate);
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
      ? mlpStackEpoch(this.stack, this.adam, this.data, {
          epsilon: s.eps,
          mix: [0, s.mix],
          attack: s.attack,
          steps: 5,
          batchSize,
          order,
        })
      : tf.zeros([2]);
    const nEval = this.evalData.labels.length;
    const nTrain = this.data.labels.length;
    // Everything the frame needs in one tensor, read with one download: per network the loss, the
    // clean and robust counts on the held-out points, the grid and which training points survive.
    // The PGD that measures robust accuracy (held-out points) and the one that marks the training
    // points run as one batch (each point's attack depends on that point only), against both networks
    // at once; for 'custom' the two sets are the same points and are attacked once.
    const same = this.evalData === this.data;
    const packed = tf.tidy(() => {
      const both: ToyData = same ? this.data : concatToy(this.evalData, this.data);
      const nBoth = both.labels.length;
      const grid = mlpStackGrid(this.stack, { x: [-VIEW, VIEW], y: [-VIEW, VIEW], size: GRID }); // [2, GRID^2]
      if (!nBoth) return tf.concat([losses, tf.zeros([4]), tf.reshape(grid, [-1])]);
      const lb = Array.from(both.labels);
      const xb = tf.tensor2d(both.points, [nBoth, 2]);
      const robust = mlpStackRobustMask(this.stack, xb, lb, s.eps, { attack: 'pgd', steps: EVAL_STEPS }); // [nBoth, 2]
      const clean = mlpStackCorrectMask(this.stack, tf.slice(xb, 0, nEval), lb.slice(0, nEval));
      const parts = [losses, tf.sum(clean, 0), tf.sum(tf.slice(robust, 0, nEval), 0), tf.reshape(grid, [-1])];
      if (nTrain) parts.push(tf.reshape(tf.transpose(same ? robust : tf.slice(robust, nEval, nTrain)), [-1]));
      return tf.concat(parts);
    });
    losses.dispose();
    const v = await packed.data();
    packed.dispose();
    const cnt = (o: number) => (nEval ? v[o] / nEval : 0);
    const stats: ModelStats[] = [0, 1].map((i) => ({ loss: v[i], clean: cnt(2 + i), robust: cnt(4 + i) }));
    const at = (o: number, len: number) => Float32Array.from(v.subarray(o, o + len));
    const g = 6;
    const t = g + 2 * GRID * GRID;
    const grids = [at(g, GRID * GRID), at(g + GRID * GRID, GRID * GRID)];
    const survives = nTrain ? [at(t, nTrain), at(t + nTrain, nTrain)] : [new Float32Array(0), new Float32Array(0)];
    this.frame = { grids: [grids[0], grids[1]], survives: [survives[0], survives[1]] };
    if (!canTrain) return undefined;
    this.epoch++;
    const rec: EpochRecord = { epoch: this.epoch, clean: stats[0], adversarial: stats[1] };
    this.history.push(rec);
    return rec;
  }

  dispose(): void {
    disposeMlpStack(this.stack);
    disposeFlatAdam(this.adam);
  }
}
