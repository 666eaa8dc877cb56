#!/usr/bin/env node
// Train, export and measure the shapes crop classifier (issue 13 item 2). Never run in CI.
//   node packages/models/train/train-crops.mjs [--work DIR] [--scenes 1500] [--epochs 8] [--eval-count 300]
// 1. writes crops of training-split scenes with make-crops.mjs into DIR (not in git; default
//    /tmp/convlab-crops), 2. trains with train/py/train_crops.py (seeded, 1 thread) and exports the
//    TF.js layers model into models/shapes-crops/, 3. measures it on test-split crops with
//    evaluate-crops.mjs (TF.js, cpu) and writes metrics.json, train-log.json and card.md.
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const work = opt('--work', '/tmp/convlab-crops');
const scenes = opt('--scenes', '1500');
const epochs = opt('--epochs', '8');
const evalCount = opt('--eval-count', '300');
const OUT = join(HERE, '..', 'models', 'shapes-crops');
if (spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status !== 0) {
  console.error(`Cannot train: ${PYTHON} with torch and numpy is needed (apt-get install python3-torch python3-numpy)`);
  process.exit(1);
}
function run(cmd, argv, env = {}) {
  console.log(`$ ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: ROOT, env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`failed (exit ${r.status})`);
    process.exit(1);
  }
}
mkdirSync(work, { recursive: true });
if (!existsSync(join(work, 'train', 'meta.json'))) run(process.execPath, [join(HERE, 'make-crops.mjs'), '--split', 'train', '--count', scenes, '--out', work]);
const log = join(work, 'train-log.json');
run(PYTHON, [join(HERE, 'py', 'train_crops.py'), '--data', work, '--out', OUT, '--log', log, '--epochs', epochs, '--threads', '1'], { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });
run(process.execPath, [join(HERE, 'evaluate-crops.mjs'), '--dir', OUT, '--count', evalCount, '--card', log]);
console.log(`== trained, exported, measured and carded: ${OUT}`);
