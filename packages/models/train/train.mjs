#!/usr/bin/env node
// Train a bundled model with PyTorch (Debian's python3-torch), export it to TF.js, measure it with
// TF.js and write its card.
//   npm run train -w @convlab/models -- digits
//   npm run train -w @convlab/models -- fashion [--epochs N]
// Never run in CI. Data is fetched on demand into packages/models/.cache/ (git-ignored).
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DATASETS, ensureDataset, PKG_DIR } from './lib/data.mjs';

const PYTHON = '/usr/bin/python3';
const CONFIG = join(PKG_DIR, 'train', 'models.json');
const config = JSON.parse(readFileSync(CONFIG, 'utf8'));

function usage(code) {
  console.log(`usage: npm run train -w @convlab/models -- <${Object.keys(config).join('|')}|all> [--epochs N]\n       npm run train -w @convlab/models -- shapes-detector|shapes-fcn|shapes-fcn-flat [--help]`);
  process.exit(code);
}

const args = process.argv.slice(2);
if (args[0] === 'shapes-detector') {
  // The detector has its own pipeline (scenes data set, torchvision Mask R-CNN, four TF.js parts).
  const r = spawnSync(process.execPath, [join(PKG_DIR, 'train', 'train-detector.mjs'), ...args.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
if (args[0] === 'shapes-fcn' || args[0] === 'shapes-fcn-flat') {
  // The segmenters of <fcn-seg>: scenes data set, train/py/train_fcn.py, a functional TF.js export.
  const r = spawnSync(process.execPath, [join(PKG_DIR, 'train', 'train-fcn.mjs'), ...args], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
if (args.includes('-h') || args.includes('--help')) usage(0);
let epochs;
const ei = args.indexOf('--epochs');
if (ei >= 0) {
  epochs = Number(args[ei + 1]);
  if (!Number.isInteger(epochs) || epochs < 1) usage(1);
  args.splice(ei, 2);
}
if (args.length !== 1) usage(1);
const ids = args[0] === 'all' ? Object.keys(config) : [args[0]];
for (const id of ids) if (!config[id]) usage(1);

// Prerequisites, with what to do about each missing one.
const problems = [];
if (!existsSync(PYTHON)) {
  problems.push(`${PYTHON} not found: apt-get install python3 python3-torch python3-pil`);
} else {
  for (const [mod, pkg] of [['torch', 'python3-torch'], ['numpy', 'python3-numpy'], ['PIL', 'python3-pil']]) {
    const r = spawnSync(PYTHON, ['-c', `import ${mod}`], { stdio: 'ignore' });
    if (r.status !== 0) problems.push(`python module ${mod} is missing: apt-get install ${pkg}`);
  }
}
for (const id of ids) {
  const ds = DATASETS[config[id].dataset];
  if (config[id].dataset !== 'mnist' && !ds.present()) {
    problems.push(`${config[id].dataset} is missing for "${id}": ${ds.howToGet}`);
  }
}
if (problems.length) {
  console.error('Cannot train yet:\n' + problems.map((p) => `  - ${p}`).join('\n'));
  console.error('(Training uses Debian packages and /usr/bin/python3, not pip.)');
  process.exit(1);
}

for (const id of ids) {
  const cfg = config[id];
  const data = ensureDataset(cfg.dataset);
  const out = join(PKG_DIR, 'models', id);
  mkdirSync(out, { recursive: true });
  const command = `npm run train -w @convlab/models -- ${id}${epochs ? ` --epochs ${epochs}` : ''}`;
  console.log(`== ${id}: training with ${PYTHON} on ${data}`);
  const t0 = Date.now();
  const py = spawnSync(PYTHON, [
    join(PKG_DIR, 'train', 'py', 'trainer.py'),
    '--model', id, '--config', CONFIG, '--data', data, '--out', out, '--command', command,
    ...(epochs ? ['--epochs', String(epochs)] : []),
  ], { stdio: 'inherit', env: { ...process.env, OMP_NUM_THREADS: String(cfg.threads ?? 2), MKL_NUM_THREADS: String(cfg.threads ?? 2) } });
  if (py.status !== 0) {
    console.error(`trainer.py failed for ${id} (exit ${py.status})`);
    process.exit(1);
  }
  console.log(`== ${id}: measuring the exported model with TF.js (cpu backend) and writing card.md`);
  const ev = spawnSync(process.execPath, [join(PKG_DIR, 'train', 'evaluate.mjs'), id, '--card'], { stdio: 'inherit' });
  if (ev.status !== 0) process.exit(ev.status ?? 1);
  console.log(`== ${id}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${out}`);
}
