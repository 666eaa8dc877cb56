/** The live loss plot of <gram-style>: total, content and per-layer style losses against the step, log scale. */

export const LOSS_COLOURS = {
  total: '#222222',
  content: '#d1495b',
  // viridis-like, readable in greyscale by lightness
  style: ['#440154', '#3b528b', '#21918c', '#5ec962', '#b8a40c', '#8f5c00'],
};

export interface LossHistory {
  total: number[];
  content: number[];
  /** One series per style layer: E_l as reported (unweighted). */
  style: number[][];
}

/** Draws the series on a canvas (its own pixel size), log10 y axis over the finite positive values. */
export function drawLossPlot(canvas: HTMLCanvasElement, h: LossHistory, layers: readonly string[], css: CSSStyleDeclaration): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const W = canvas.width,
    H = canvas.height;
  const fg = css.getPropertyValue('--_fg').trim() || '#222';
  const muted = css.getPropertyValue('--_muted').trim() || '#777';
  ctx.clearRect(0, 0, W, H);
  const series: { v: number[]; colour: string; width: number }[] = [
    { v: h.total, colour: fg, width: 2.5 },
    { v: h.content, colour: LOSS_COLOURS.content, width: 1.5 },
    ...h.style.map((v, i) => ({ v, colour: LOSS_COLOURS.style[i % LOSS_COLOURS.style.length], width: 1.2 })),
  ];
  void layers;
  let lo = Infinity,
    hi = -Infinity,
    n = 0;
  for (const s of series) {
    n = Math.max(n, s.v.length);
    for (const v of s.v) {
      if (v > 0 && Number.isFinite(v)) {
        const l = Math.log10(v);
        lo = Math.min(lo, l);
        hi = Math.max(hi, l);
      }
    }
  }
  const left = 44,
    bottom = 20,
    top = 8,
    right = 8;
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = muted;
  ctx.strokeStyle = muted;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(left, top);
  ctx.lineTo(left, H - bottom);
  ctx.lineTo(W - right, H - bottom);
  ctx.stroke();
  if (!n || !Number.isFinite(lo)) {
    ctx.fillText('Run the optimisation to plot its losses.', left + 10, H / 2);
    return;
  }
  lo = Math.floor(lo);
  hi = Math.max(Math.ceil(hi), lo + 1);
  const x = (i: number) => left + ((W - left - right) * i) / Math.max(1, n - 1);
  const y = (v: number) => top + ((H - top - bottom) * (hi - Math.log10(v))) / (hi - lo);
  for (let e = lo; e <= hi; e++) {
    const yy = y(10 ** e);
    ctx.fillText(`1e${e}`, 4, yy + 4);
    ctx.globalAlpha = 0.25;
    ctx.beginPath();
    ctx.moveTo(left, yy);
    ctx.lineTo(W - right, yy);
    ctx.stroke();
    ctx.globalAlpha = 1;
  }
  ctx.fillText(`step ${n}`, W - right - 50, H - 5);
  for (const s of series) {
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = s.width;
    ctx.beginPath();
    let pen = false;
    s.v.forEach((v, i) => {
      if (!(v > 0) || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(x(i), y(v));
      else ctx.moveTo(x(i), y(v));
      pen = true;
    });
    ctx.stroke();
  }
}
