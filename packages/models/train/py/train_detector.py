"""Seeded training of `shapes-detector` (see detector_model.py) on scenes written by
`npm run scenes -w @convlab/scenes -- --split train ...`. Run through
`npm run train -w @convlab/models -- shapes-detector`, which writes the data first.

Writes the PyTorch checkpoint (outside git) and a JSON log of the four losses plus the mask loss.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from detector_model import build_detector  # noqa: E402


LOG_EVERY = 10


def load_split(d):
    images = np.load(f'{d}/images.npy', mmap_mode='r')
    instances = np.load(f'{d}/instances.npy', mmap_mode='r')
    boxes, labels = np.load(f'{d}/boxes.npy'), np.load(f'{d}/labels.npy')
    offsets = np.load(f'{d}/offsets.npy')
    return images, instances, boxes, labels, offsets


def sample(data, i, flip=False):
    images, instances, boxes, labels, offsets = data
    a, b = offsets[i], offsets[i + 1]
    img = np.ascontiguousarray(images[i])
    inst = np.ascontiguousarray(instances[i])
    bx = boxes[a:b].copy()
    if flip:
        w = img.shape[1]
        img = np.ascontiguousarray(img[:, ::-1])
        inst = np.ascontiguousarray(inst[:, ::-1])
        bx = np.stack([w - bx[:, 2], bx[:, 1], w - bx[:, 0], bx[:, 3]], axis=1)
    ids = np.arange(1, b - a + 1, dtype=np.uint8)
    masks = (inst[None] == ids[:, None, None]).astype(np.uint8)
    x = torch.from_numpy(img.copy()).permute(2, 0, 1).float() / 255
    t = {'boxes': torch.from_numpy(bx).float(), 'labels': torch.from_numpy(labels[a:b].copy()),
         'masks': torch.from_numpy(masks)}
    return x, t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True, help='directory holding train/')
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--log', required=True)
    ap.add_argument('--seed', type=int, default=20261201)
    ap.add_argument('--scenes', type=int, default=7200)
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--batch', type=int, default=4)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--max-iters', type=int, default=0, help='stop early (timing runs)')
    args = ap.parse_args()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)

    data = load_split(os.path.join(args.data, 'train'))
    n = min(args.scenes, len(data[4]) - 1)
    model = build_detector()
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = n // args.batch
    total = steps_per_epoch * args.epochs
    if args.max_iters:
        total = min(total, args.max_iters)
    warmup = min(200, total // 10)

    def lr_at(step):
        if step < warmup:
            return args.lr * (0.1 + 0.9 * step / warmup)
        p = (step - warmup) / max(1, total - warmup)
        return args.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * p)))

    log = {'seed': args.seed, 'scenes': n, 'epochs': args.epochs, 'batch': args.batch, 'lr': args.lr,
           'optimizer': 'AdamW (weight decay 1e-4), linear warm-up then cosine decay',
           'augmentation': 'horizontal flip with probability 0.5',
           'threads': args.threads, 'torch': torch.__version__, 'iterations': [], 'epochsDone': 0}
    t0 = time.time()
    step = 0
    running = {}
    for epoch in range(args.epochs):
        order = rng.permutation(n)
        flips = rng.random(n) < 0.5
        for s in range(steps_per_epoch):
            if step >= total:
                break
            idx = order[s * args.batch:(s + 1) * args.batch]
            batch = [sample(data, int(i), bool(flips[i])) for i in idx]
            for g in opt.param_groups:
                g['lr'] = lr_at(step)
            losses = model([x for x, _ in batch], [t for _, t in batch])
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            for k, v in losses.items():
                running[k] = running.get(k, 0.0) + float(v)
            if step % LOG_EVERY == 0 or step == total:
                k = LOG_EVERY if step % LOG_EVERY == 0 else step % LOG_EVERY
                entry = {'step': step, 'epoch': epoch + 1, 'seconds': round(time.time() - t0, 1),
                         **{name: round(v / k, 4) for name, v in running.items()}}
                log['iterations'].append(entry)
                print(json.dumps(entry), flush=True)
                running = {}
            if step % 100 == 0:
                torch.save(model.state_dict(), args.ckpt + '.partial')
        log['epochsDone'] = epoch + 1
        log['seconds'] = round(time.time() - t0, 1)
        log['steps'] = step
        torch.save(model.state_dict(), args.ckpt)
        with open(args.log, 'w') as f:
            json.dump(log, f, indent=1)
        print(f'epoch {epoch + 1} done at {log["seconds"]} s, checkpoint {args.ckpt}', flush=True)
        if step >= total:
            break
    log['seconds'] = round(time.time() - t0, 1)
    log['steps'] = step
    log['finished'] = True
    torch.save(model.state_dict(), args.ckpt)
    with open(args.log, 'w') as f:
        json.dump(log, f, indent=1)
    print(f'trained {step} steps in {log["seconds"]} s', flush=True)


if __name__ == '__main__':
    main()
