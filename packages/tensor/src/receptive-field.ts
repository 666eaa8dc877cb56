/**
 * Receptive fields of a stack of convolution and pooling layers (Araujo, Norris and Sim, "Computing
 * Receptive Fields of Convolutional Neural Networks", Distill 2019), along one axis.
 */

export interface RfLayer {
  name?: string;
  /** Kernel size k (a pooling window counts the same way as a convolution). */
  kernel: number;
  /** Stride s (default 1). */
  stride?: number;
  /** Padding p added at the start (default 0). */
  padding?: number;
  /** Dilation d (default 1): the kernel spans d (k - 1) + 1 inputs. */
  dilation?: number;
  /**
   * A transposed convolution with kernel == stride (an exact s-fold upsampling, no padding): output
   * unit u comes from input unit floor(u / s) alone, so r stays, j becomes j / s, and the centre of
   * unit u, averaged over the s units of one input unit, is start - (s - 1) j / (2 s) + u j / s.
   */
  transposed?: boolean;
}

export interface RfInfo {
  name: string;
  /** Receptive-field size r: how many input pixels one unit of this layer sees. */
  size: number;
  /** Jump (effective stride) j: input pixels between neighbouring units of this layer. */
  jump: number;
  /** Start: input coordinate (pixel index, may be fractional or negative) of the centre of unit 0's receptive field. */
  start: number;
  /** Output length, when `inputSize` was given. */
  outputSize?: number;
}

/**
 * For each layer, with k' = d (k - 1) + 1 (the dilated kernel) and the input's r = 1, j = 1, start = 0:
 *   r_l = r_{l-1} + (k' - 1) j_{l-1},   j_l = j_{l-1} s,   start_l = start_{l-1} + ((k' - 1) / 2 - p) j_{l-1}.
 * L stacked 3 x 3 convolutions with stride 1 give r = 1 + 2L. With `inputSize`, also each layer's
 * output length floor((n + 2p - k') / s) + 1 (the padding on both sides, as in PyTorch).
 * A `transposed` layer (kernel == stride) gives r_l = r_{l-1}, j_l = j_{l-1} / s,
 * start_l = start_{l-1} - (s - 1) j_{l-1} / (2 s), and output length n s.
 */
export function receptiveField(layers: readonly RfLayer[], inputSize?: number): RfInfo[] {
  let r = 1;
  let j = 1;
  let start = 0;
  let n = inputSize;
  return layers.map((l, i) => {
    const k = l.kernel;
    const s = l.stride ?? 1;
    const p = l.padding ?? 0;
    const d = l.dilation ?? 1;
    for (const [name, v, min] of [['kernel', k, 1], ['stride', s, 1], ['dilation', d, 1], ['padding', p, 0]] as const)
      if (!Number.isInteger(v) || v < min) throw new RangeError(`receptiveField(): layer ${i} ${name} must be an integer >= ${min}, got ${v}`);
    if (l.transposed) {
      if (k !== s || p !== 0 || d !== 1) throw new RangeError(`receptiveField(): transposed layer ${i} must have kernel == stride, no padding and no dilation`);
      start -= ((s - 1) * j) / (2 * s);
      j /= s;
      const up: RfInfo = { name: l.name ?? `layer ${i + 1}`, size: r, jump: j, start };
      if (n !== undefined) up.outputSize = n *= s;
      return up;
    }
    const ke = d * (k - 1) + 1;
    start += ((ke - 1) / 2 - p) * j;
    r += (ke - 1) * j;
    j *= s;
    const info: RfInfo = { name: l.name ?? `layer ${i + 1}`, size: r, jump: j, start };
    if (n !== undefined) {
      n = Math.floor((n + 2 * p - ke) / s) + 1;
      info.outputSize = n;
    }
    return info;
  });
}

/**
 * The input pixels (inclusive range, before clipping to the image) that unit `index` of a layer
 * sees: centred at start + index * jump, r wide: [centre - (r - 1) / 2, centre + (r - 1) / 2].
 * Pass `inputSize` to clip to [0, inputSize - 1] (padding pixels are not image pixels).
 */
export function receptiveRegion(info: Pick<RfInfo, 'size' | 'jump' | 'start'>, index: number, inputSize?: number): [number, number] {
  const c = info.start + index * info.jump;
  let lo = c - (info.size - 1) / 2;
  let hi = c + (info.size - 1) / 2;
  if (inputSize !== undefined) {
    lo = Math.max(0, lo);
    hi = Math.min(inputSize - 1, hi);
  }
  return [lo, hi];
}
