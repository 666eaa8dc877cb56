#!/usr/bin/env node
// Train, export and measure the shapes detector (a mini Mask R-CNN). Never run in CI.
//   npm run train -w @convlab/models -- shapes-detector [--work DIR] [--scenes N] [--epochs N]
//                                                       [--from-checkpoint FILE] [--eval-count N]
// 1. writes the training scenes and 500 test scenes with @convlab/scenes into DIR (not in git;
//    default /tmp/convlab-detector), 2. trains with train/py/train_detector.py (seeded, 1 thread),
//    3. exports the four TF.js parts + detector.json + parity.json with train/py/export_detector.py
//    into models/shapes-detector/, 4. measures parity and mAP@0.5 with train/evaluate-detector.mjs
//    (TF.js cpu backend) into metrics.json, 5. writes card.md with train/detector-card.mjs.
// --from-checkpoint FILE skips steps 1 (train part) and 2 and exports FILE (with FILE's training log
// next to it as train-log.json). --out DIR exports somewhere else than models/shapes-detector/.
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: npm run train -w @convlab/models -- shapes-detector [--work DIR] [--scenes 7200] [--epochs 3] [--from-checkpoint FILE] [--eval-count 500] [--out DIR]');
  process.exit(0);
}
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const work = opt('--work', '/tmp/convlab-detector');
const scenes = Number(opt('--scenes', 7200));
const epochs = Number(opt('--epochs', 3));
const evalCount = Number(opt('--eval-count', 500));
const fromCkpt = opt('--from-checkpoint', null);
const OUT = opt('--out', join(HERE, '..', 'models', 'shapes-detector'));
if (!(Number.isInteger(scenes) && scenes > 0 && Number.isInteger(epochs) && epochs > 0)) {
  console.error('--scenes and --epochs must be positive integers');
  process.exit(1);
}

const problems = [];
if (!existsSync(PYTHON)) problems.push(`${PYTHON} not found: apt-get install python3 python3-torch python3-torchvision`);
else
  for (const [mod, pkg] of [['torch', 'python3-torch'], ['torchvision', 'python3-torchvision'], ['numpy', 'python3-numpy']]) {
    if (spawnSync(PYTHON, ['-c', `import ${mod}`], { stdio: 'ignore' }).status !== 0) problems.push(`python module ${mod} is missing: apt-get install ${pkg}`);
  }
if (problems.length) {
  console.error('Cannot train yet:\n' + problems.map((p) => `  - ${p}`).join('\n'));
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
const data = join(work, 'data');
const ONE = { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }; // on a loaded 2-core machine 1 thread was 3x faster than 2
const ckpt = fromCkpt ?? join(work, 'shapes-detector.pt');
const log = fromCkpt ? join(dirname(fromCkpt), 'train-log.json') : join(work, 'train-log.json');

// 1. data (the scene writer is deterministic: same seeds, same bytes)
if (!fromCkpt && !existsSync(join(data, 'train', 'meta.json')))
  run('npm', ['run', 'scenes', '-w', '@convlab/scenes', '--', '--split', 'train', '--count', String(scenes), '--out', data]);
if (!existsSync(join(data, 'test', 'meta.json')))
  run('npm', ['run', 'scenes', '-w', '@convlab/scenes', '--', '--split', 'test', '--count', String(evalCount), '--out', data]);

// 2. training
if (!fromCkpt) {
  const t0 = Date.now();
  run(PYTHON, [join(HERE, 'py', 'train_detector.py'), '--data', data, '--ckpt', ckpt, '--log', log, '--scenes', String(scenes), '--epochs', String(epochs), '--threads', '1'], ONE);
  console.log(`== trained in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

// 3. export + parity fixture, 4. TF.js measurements
run(PYTHON, [join(HERE, 'py', 'export_detector.py'), '--ckpt', ckpt, '--out', OUT, '--data', data, '--parity', '4', '--train-log', log], ONE);
run(process.execPath, [join(HERE, 'evaluate-detector.mjs'), '--dir', OUT, '--parity', '--count', String(evalCount), '--card']);
run(process.execPath, [join(HERE, 'detector-card.mjs'), '--dir', OUT]);
console.log(`== exported, measured and carded: ${OUT}`);
