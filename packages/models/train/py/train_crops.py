"""Seeded training of `shapes-crops`: a small crop classifier (background, circle, square, triangle)
with a class-agnostic box-regression output, on crops written by train/make-crops.mjs. Run through
`node packages/models/train/train-crops.mjs`, which writes the crops first and measures the exported
model afterwards.

Architecture (no padding anywhere, so the Dense layers also run as convolutions on a whole image and
a window's scores never depend on pixels outside it; network stride 8):
  32x32x3 -> conv5 16 relu -> 28 -> maxpool2 -> 14 -> conv3 32 relu -> 12 -> maxpool2 -> 6
  -> conv3 32 relu -> 4 -> maxpool2 -> 2 -> flatten 128 -> fc 64 relu -> out 8
out: 4 class logits (cross-entropy) then 4 box deltas (smooth L1 on foreground crops only, torchvision
BoxCoder weights 10, 10, 5, 5 relative to the crop's box).
Exported with tfjs_export.py as one TF.js layers Sequential (model.json + weights.bin).
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tfjs_export import export_sequential  # noqa: E402

CLASSES = ['background', 'circle', 'square', 'triangle']


def build():
    return nn.Sequential(
        __import__('collections').OrderedDict([
            ('conv1', nn.Conv2d(3, 16, 5)), ('relu1', nn.ReLU()), ('pool1', nn.MaxPool2d(2)),
            ('conv2', nn.Conv2d(16, 32, 3)), ('relu2', nn.ReLU()), ('pool2', nn.MaxPool2d(2)),
            ('conv3', nn.Conv2d(32, 32, 3)), ('relu3', nn.ReLU()), ('pool3', nn.MaxPool2d(2)),
            ('flatten', nn.Flatten()),
            ('fc1', nn.Linear(128, 64)), ('relu4', nn.ReLU()),
            ('out', nn.Linear(64, 8)),
        ]))


def load(d):
    meta = json.load(open(os.path.join(d, 'meta.json')))
    n, c = meta['n'], meta['crop']
    x = np.fromfile(os.path.join(d, 'crops.u8'), dtype=np.uint8).reshape(n, c, c, 3)
    y = np.fromfile(os.path.join(d, 'labels.u8'), dtype=np.uint8).astype(np.int64)
    t = np.fromfile(os.path.join(d, 'targets.f32'), dtype='<f4').reshape(n, 4)
    return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(y), torch.from_numpy(t.copy()), meta


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True, help='directory holding train/ (from make-crops.mjs)')
    ap.add_argument('--out', required=True, help='export folder (model.json, weights.bin)')
    ap.add_argument('--log', required=True)
    ap.add_argument('--seed', type=int, default=20261213)
    ap.add_argument('--epochs', type=int, default=8)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--lr', type=float, default=0.003)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)

    x, y, t, meta = load(os.path.join(a.data, 'train'))
    n = len(y)
    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    steps = a.epochs * ((n + a.batch - 1) // a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps)
    ce, sl1 = nn.CrossEntropyLoss(), nn.SmoothL1Loss(reduction='sum', beta=1 / 9)
    log = {'seed': a.seed, 'epochs': a.epochs, 'batch': a.batch, 'lr': a.lr, 'threads': a.threads,
           'train': {'scenes': meta['scenes'], 'firstSeed': meta['firstSeed'], 'crops': n, 'counts': meta['counts']},
           'torch': torch.__version__, 'history': []}
    g = torch.Generator().manual_seed(a.seed)
    t0 = time.time()
    for ep in range(a.epochs):
        model.train()
        perm = torch.randperm(n, generator=g)
        tot, correct, lsum, bsum = 0, 0, 0.0, 0.0
        for s in range(0, n, a.batch):
            idx = perm[s:s + a.batch]
            xb = x[idx].float() / 255
            # horizontal flip for half of the batch (flips dx too)
            flip = torch.rand(len(idx), generator=g) < 0.5
            xb[flip] = xb[flip].flip(3)
            tb = t[idx].clone()
            tb[flip, 0] = -tb[flip, 0]
            yb = y[idx]
            out = model(xb)
            lc = ce(out[:, :4], yb)
            fg = yb > 0
            lb = sl1(out[fg, 4:], tb[fg]) / max(1, len(idx))
            loss = lc + lb
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += len(idx)
            correct += (out[:, :4].argmax(1) == yb).sum().item()
            lsum += lc.item() * len(idx)
            bsum += lb.item() * len(idx)
        h = {'epoch': ep + 1, 'loss_cls': lsum / tot, 'loss_box': bsum / tot, 'train_acc': correct / tot, 'seconds': round(time.time() - t0, 1)}
        log['history'].append(h)
        print(json.dumps(h), flush=True)
    log['train_seconds'] = round(time.time() - t0, 1)
    model.eval()
    meta_out = {'convlab': {'name': 'shapes-crops', 'labels': CLASSES, 'inputSize': [32, 32], 'channels': 3,
                            'inputRange': [0, 1], 'output': 'logits+deltas', 'boxWeights': [10, 10, 5, 5],
                            'trainedOn': '32x32 crops of @convlab/scenes training scenes (seeds 0-%d), warped to 32x32' % (meta['scenes'] - 1)}}
    log['export'] = export_sequential(model, (32, 32, 3), a.out, 'shapes_crops', metadata=meta_out)
    # A parity fixture for the export: PyTorch's outputs for the first 4 training crops (bytes, NHWC).
    with torch.no_grad():
        outs = model(x[:4].float() / 255).tolist()
    with open(os.path.join(a.out, 'parity.json'), 'w') as f:
        json.dump({'inputs': x[:4].permute(0, 2, 3, 1).reshape(4, -1).tolist(), 'outputs': outs}, f)
    with open(a.log, 'w') as f:
        json.dump(log, f)
    print(f'== trained in {log["train_seconds"]} s; exported to {a.out}')


if __name__ == '__main__':
    main()
