"""Reads a data set written by `npm run scenes -w @convlab/scenes` (numpy only). See README.md.

    python3 read_scenes.py DIR/train
"""
import json
import sys

import numpy as np


def load(split_dir):
    """Returns images, semantic and instance maps (memory-mapped) and per-scene targets."""
    images = np.load(f'{split_dir}/images.npy', mmap_mode='r')        # (N, H, W, 3) uint8
    semantic = np.load(f'{split_dir}/semantic.npy', mmap_mode='r')    # (N, H, W) uint8, 0 = background
    instances = np.load(f'{split_dir}/instances.npy', mmap_mode='r')  # (N, H, W) uint8, 0 = background
    boxes = np.load(f'{split_dir}/boxes.npy')                         # (M, 4) float32 x1, y1, x2, y2
    labels = np.load(f'{split_dir}/labels.npy')                       # (M,) int64 1..3
    offsets = np.load(f'{split_dir}/offsets.npy')                     # (N + 1,) int64

    def target(i):
        a, b = offsets[i], offsets[i + 1]
        ids = np.arange(1, b - a + 1, dtype=np.uint8)
        masks = instances[i][None, :, :] == ids[:, None, None]      # (K, H, W) bool
        return {'boxes': boxes[a:b], 'labels': labels[a:b], 'masks': masks}

    return images, semantic, instances, target


if __name__ == '__main__':
    d = sys.argv[1]
    images, semantic, instances, target = load(d)
    meta = json.load(open(f'{d}/meta.json'))
    t = target(0)
    # Consistency checks: every box is tight around its mask; the semantic map is the labels painted by mask.
    n_checked = 0
    for i in range(min(len(images), 200)):
        t = target(i)
        sem = np.zeros(semantic[i].shape, np.uint8)
        for (x1, y1, x2, y2), lab, m in zip(t['boxes'], t['labels'], t['masks']):
            ys, xs = np.nonzero(m)
            assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == (x1, y1, x2, y2), (i, x1, y1, x2, y2)
            sem[m] = lab
        assert (sem == semantic[i]).all(), i
        n_checked += 1
    print(f"{meta['split']}: {images.shape[0]} scenes {images.shape[1:]} {images.dtype}, {len(np.load(d + '/labels.npy'))} objects; "
          f"scene 0 has labels {target(0)['labels'].tolist()}; {n_checked} scenes checked")
