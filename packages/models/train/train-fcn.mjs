#!/usr/bin/env node
// Train, export and measure a segmenter of <fcn-seg> (issue 14). Never run in CI.
//   npm run train -w @convlab/models -- shapes-fcn        [--work DIR] [--eval-count 500] [--out DIR]
//   npm run train -w @convlab/models -- shapes-fcn-flat   (same options)
// 1. writes the scenes with @convlab/scenes into DIR/data (not in git; default /tmp/convlab-detector,
//    shared with the detector: the same training and test scenes), 2. trains with
//    train/py/train_fcn.py (seeded, 1 thread; scenes, epochs and batch per model in that file) and
//    exports the TF.js layers model (functional: skips) into models/<id>/, 3. measures it with
//    evaluate-fcn.mjs (TF.js, WASM in Node, @convlab/tensor's meanIoU on the test scenes) and writes
//    metrics.json, train-log.json and card.md.
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const [id, ...args] = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
if (!['shapes-fcn', 'shapes-fcn-flat'].includes(id) || args.includes('--help')) {
  console.log('usage: npm run train -w @convlab/models -- shapes-fcn|shapes-fcn-flat [--work DIR] [--eval-count 500] [--out DIR]');
  process.exit(id ? 0 : 1);
}
const work = opt('--work', '/tmp/convlab-detector');
const evalCount = opt('--eval-count', '500');
const OUT = opt('--out', join(HERE, '..', 'models', id));
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
const data = join(work, 'data');
mkdirSync(work, { recursive: true });
// the scene writer is deterministic: same seeds, same bytes (7,200 training scenes: the detector's set)
if (!existsSync(join(data, 'train', 'meta.json'))) run('npm', ['run', 'scenes', '-w', '@convlab/scenes', '--', '--split', 'train', '--count', '7200', '--out', data]);
if (!existsSync(join(data, 'test', 'meta.json'))) run('npm', ['run', 'scenes', '-w', '@convlab/scenes', '--', '--split', 'test', '--count', evalCount, '--out', data]);
const log = join(work, `${id}.train-log.json`);
run(PYTHON, [join(HERE, 'py', 'train_fcn.py'), '--model', id, '--data', data, '--out', OUT, '--log', log, '--threads', '1'], { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });
run(process.execPath, [join(HERE, 'evaluate-fcn.mjs'), '--id', id, '--dir', OUT, '--count', evalCount, '--card', log]);
console.log(`== trained, exported, measured and carded: ${OUT}`);
