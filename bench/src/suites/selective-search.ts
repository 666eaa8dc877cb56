// Selective search (issue 13 item 1): time per 128 x 128 test scene (target <= 200 ms) and recall
// at IoU 0.5 with at most 300 boxes (target >= 0.9), for the default (`fast`, 8 strategies) and the
// `single` strategy. Plain JavaScript on the main thread (no TF.js), so there is one backend.
import { selectiveSearch, proposalRecall, type SearchMode } from '@convlab/tensor';
import { scene } from '@convlab/scenes';
import { stats, fmt, type BenchContext, type RunRecord, type Stat } from '../lib.js';

const SCENES = 100;
const WARMUP = 5;
const MAX_BOXES = 300;
const FIRST_SEED = 2_000_000; // the scenes' test split

interface ModeResult {
  mode: SearchMode;
  ms: Stat;
  meanMs: number;
  recall: number;
  covered: number;
  objects: number;
  boxesPerScene: number;
}

function measure(mode: SearchMode): ModeResult {
  for (let i = 0; i < WARMUP; i++) {
    const s = scene(FIRST_SEED + SCENES + i);
    selectiveSearch({ data: s.image, width: s.width, height: s.height }, { mode, maxBoxes: MAX_BOXES });
  }
  const ms: number[] = [];
  let covered = 0;
  let objects = 0;
  let boxes = 0;
  for (let i = 0; i < SCENES; i++) {
    const s = scene(FIRST_SEED + i);
    const t0 = performance.now();
    const r = selectiveSearch({ data: s.image, width: s.width, height: s.height }, { mode, maxBoxes: MAX_BOXES });
    ms.push(performance.now() - t0);
    const rec = proposalRecall(r.boxes, s.objects.map((o) => o.box), 0.5);
    covered += rec.covered;
    objects += rec.total;
    boxes += r.boxes.length;
  }
  return { mode, ms: stats(ms), meanMs: ms.reduce((a, b) => a + b, 0) / ms.length, recall: covered / objects, covered, objects, boxesPerScene: boxes / SCENES };
}

export async function run(_: BenchContext) {
  const modes = [measure('fast'), measure('single')];
  return { scenes: SCENES, firstSeed: FIRST_SEED, maxBoxes: MAX_BOXES, size: 128, modes };
}

export function report(runs: RunRecord<Awaited<ReturnType<typeof run>>>[]): string[] {
  const r = runs.find((x) => x.ok)?.result;
  if (!r) return [];
  return r.modes.map(
    (m) =>
      `selective search ${m.mode}: ${fmt(m.ms.median)} ms p50, ${fmt(m.ms.p95)} ms p95 (mean ${fmt(m.meanMs)}) per ${r.size}x${r.size} scene; ` +
      `recall@0.5 ${m.recall.toFixed(3)} (${m.covered}/${m.objects}) with <= ${r.maxBoxes} boxes (${m.boxesPerScene.toFixed(0)} a scene), ${r.scenes} test scenes`,
  );
}
